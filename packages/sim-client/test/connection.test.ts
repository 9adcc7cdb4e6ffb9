/** Frames from the simulator are outside input (issue 15): parsed by a total function. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseServerFrame } from '@cqfleet/sim-client';

describe('frames from the simulator', () => {
  it('anything that is not the protocol is a reason, not a throw', () => {
    for (const bad of ['null', '[]', '42', '"x"', '{', '{"push":"event"}', '{"id":"1","ok":true}'])
      expect(typeof parseServerFrame(bad)).toBe('string');
    expect(parseServerFrame('{"id":3,"ok":true,"result":1}')).toEqual({
      id: 3,
      ok: true,
      result: 1,
    });
    const friend = { kind: 'friend_add', time: 1, user_id: 20001 };
    expect(parseServerFrame(JSON.stringify({ push: 'event', seq: 1, event: friend }))).toEqual({
      push: 'event',
      seq: 1,
      event: friend,
    });
    // An event that does not fit its kind's schema (@cqfleet/qq-side) is not one.
    for (const event of [{ kind: 'x', time: 1 }, { ...friend, user_id: '20001' }, { kind: 'poke' }])
      expect(parseServerFrame(JSON.stringify({ push: 'event', seq: 1, event }))).toMatch(
        /^malformed event/,
      );
    fc.assert(
      fc.property(fc.jsonValue(), v => {
        parseServerFrame(JSON.stringify(v) ?? 'null');
      }),
      { numRuns: 2_000 },
    );
  });
});
