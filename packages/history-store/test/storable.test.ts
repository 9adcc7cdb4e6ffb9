/**
 * What the store takes (storable.ts): the events the sessions publish pass; an event missing
 * what a record or a script needs is refused with its reason, never thrown on.
 */
import { groupMsg, privateMsg } from '@cqfleet/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeMessage, unstorable } from '@cqfleet/history-store';

describe('storable message events', () => {
  it('the events sessions publish pass', () => {
    for (const m of [
      groupMsg(10001, 100100, 5),
      privateMsg(10001, 20001, 10001, 1),
      privateMsg(10001, 10001, 20001, 2),
    ])
      expect(unstorable(m)).toBeUndefined();
  });

  it('refuses, with the field, what a record or a script could not take', () => {
    const g = groupMsg(10001, 100100, 5) as unknown as Record<string, unknown>;
    const sent = privateMsg(10001, 10001, 20001, 2) as unknown as Record<string, unknown>;
    const cases: Array<[unknown, string]> = [
      [null, 'not an object'],
      [[g], 'not an object'],
      [{ ...g, post_type: 'notice' }, 'post_type'],
      [{ ...g, sender: undefined }, 'sender'],
      [{ ...g, sender: 'Alice' }, 'sender'],
      [{ ...g, time: undefined }, 'time'],
      [{ ...g, time: 1.5 }, 'time'],
      [{ ...g, message_seq: 2 ** 53 }, 'message_seq'],
      [{ ...g, message_id: '7' }, 'message_id'],
      [{ ...g, user_id: null }, 'user_id'],
      [{ ...g, group_id: undefined }, 'group_id'],
      [{ ...g, message: 'hi' }, 'message'],
      [{ ...g, message: [{ type: 'text', data: null }] }, 'message'],
      [{ ...g, message: [{ data: {} }] }, 'message'],
      [{ ...g, message_type: 'channel' }, 'message_type'],
      [{ ...sent, target_id: undefined }, 'target_id'],
      [{ ...sent, target_id: 'x' }, 'target_id'],
    ];
    for (const [event, field] of cases) expect(unstorable(event), field).toContain(field);
  });

  it('never throws, and what passes encodes', () => {
    const g = groupMsg(10001, 100100, 5) as unknown as Record<string, unknown>;
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...Object.keys(g)), fc.jsonValue()), over => {
        const event = { ...g, ...over };
        if (unstorable(event) === undefined) encodeMessage(event as never);
      }),
      { numRuns: 2_000 },
    );
  });
});
