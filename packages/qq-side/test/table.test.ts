/**
 * The QQ side's table: arguments read by the wire rules (numbers or decimal strings, absent
 * optional integers, `""` for missing strings, loose flags), refused with BAD_REQUEST naming
 * the field; results and events checked and passed on as they came.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isOpName,
  type OpName,
  parseArgs,
  parseEvent,
  parseResult,
  qqOps,
  QQSideError,
} from '@cqfleet/qq-side';

describe('operation arguments', () => {
  it('are read by the wire rules', () => {
    expect(parseArgs('get_member', { group_id: '100100', user_id: 20001 })).toEqual({
      group_id: 100100,
      user_id: 20001,
    });
    expect(parseArgs('kick', { group_id: 1, user_id: 2, reject_add_request: 'true' })).toEqual({
      group_id: 1,
      user_id: 2,
      reject_add_request: true,
    });
    expect(parseArgs('set_card', { group_id: 1, user_id: 2, card: null })).toMatchObject({
      card: '',
    });
    expect(parseArgs('poke', { user_id: 2, group_id: 0 })).toEqual({ user_id: 2 });
    expect(parseArgs('send_group_msg', { group_id: 1, elements: [{ type: 'face' }] })).toEqual({
      group_id: 1,
      elements: [{ type: 'face', data: {} }],
    });
  });

  it('that name a chat read it into `chat`: the group when given, else the person', () => {
    expect(parseArgs('recall', { group_id: 5, user_id: 6, seq: 7, sender_id: 6 })).toEqual({
      chat: { group_id: 5 },
      seq: 7,
      sender_id: 6,
    });
    expect(parseArgs('get_message', { user_id: '6', seq: 7 })).toEqual({
      chat: { user_id: 6 },
      seq: 7,
    });
    expect(() => parseArgs('recall', { seq: 7, sender_id: 6 })).toThrow(/user_id/);
  });

  it('that do not fit are BAD_REQUEST naming the field', () => {
    const refused = (op: OpName, raw: unknown, field: string) => {
      try {
        parseArgs(op, raw);
      } catch (err) {
        expect(err).toBeInstanceOf(QQSideError);
        expect(err).toMatchObject({ code: 'BAD_REQUEST' });
        expect((err as Error).message).toContain(field);
        return;
      }
      throw new Error(`${op} took ${JSON.stringify(raw)}`);
    };
    refused('get_group', { group_id: 'abc' }, 'group_id');
    refused('get_group', { group_id: 1.5 }, 'group_id');
    refused('set_card', { group_id: 1, user_id: 2, card: 42 }, 'card');
    refused('send_group_msg', { group_id: 1, elements: 'hi' }, 'elements');
    refused('get_media', { kind: 'exe', name: 'x' }, 'kind');
  });

  it('never throw anything but a QQSideError, whatever they are', () => {
    const names = Object.keys(qqOps) as OpName[];
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.jsonValue(), (op, raw) => {
        try {
          parseArgs(op, raw);
        } catch (err) {
          expect(err).toBeInstanceOf(QQSideError);
        }
      }),
      { numRuns: 3_000 },
    );
    expect(isOpName('get_group')).toBe(true);
    expect(isOpName('toString')).toBe(false);
  });
});

describe('results and events', () => {
  it('are checked and passed on as they came, unnamed fields kept', () => {
    const sent = { seq: 1, time: 2, elements: [], extra: 'kept' };
    expect(parseResult('send_group_msg', sent)).toBe(sent);
    expect(() => parseResult('send_group_msg', { seq: '1' })).toThrow(
      expect.objectContaining({ code: 'BAD_REPLY' }),
    );
    const event = { kind: 'friend_add', time: 1, user_id: 7, note: 'kept' };
    expect(parseEvent(event)).toBe(event);
    expect(parseEvent({ kind: 'friend_add', time: 1 })).toMatch(/user_id/);
    expect(parseEvent({ kind: 'nothing', time: 1 })).toEqual(expect.any(String));
  });
});
