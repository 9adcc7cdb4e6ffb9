import { describe, expect, it } from 'vitest';
import { messageId, type MessageEvent, toCQString } from '@cqfleet/onebot';
import { decodeMessage, encodeMessage } from '@cqfleet/history-store';

/** Events in the shape and key order session/src/events/normalize.ts publishes. */
function group(
  selfId: number,
  userId: number,
  seq: number,
  message: MessageEvent['message'],
  extra: Partial<{ anonymous: { id: number; name: string; flag: string } }> = {},
): MessageEvent {
  const anonymous = extra.anonymous ?? null;
  return {
    post_type: userId === selfId ? 'message_sent' : 'message',
    message_type: 'group',
    time: 1_764_000_000 + seq,
    self_id: selfId,
    sub_type: anonymous ? 'anonymous' : 'normal',
    message_id: messageId(100100, seq),
    message_seq: seq,
    group_id: 100100,
    user_id: userId,
    anonymous,
    message,
    message_format: 'array',
    raw_message: toCQString(message),
    font: 0,
    sender: {
      user_id: userId,
      nickname: '小明 Alice',
      card: '群名片',
      role: 'admin',
      title: '头衔',
      age: 18,
      area: '上海',
      level: '42',
      sex: 'female',
    },
  } as MessageEvent;
}

function direct(
  selfId: number,
  userId: number,
  targetId: number,
  seq: number,
  tempSource?: number,
): MessageEvent {
  const message = [{ type: 'text', data: { text: `hi ${seq}` } }] as MessageEvent['message'];
  const temp = tempSource !== undefined;
  return {
    post_type: userId === selfId ? 'message_sent' : 'message',
    message_type: 'private',
    time: 1_764_000_000 + seq,
    self_id: selfId,
    sub_type: temp ? 'group' : 'friend',
    ...(temp ? { temp_source: tempSource } : {}),
    message_id: messageId(userId, seq),
    message_seq: seq,
    user_id: userId,
    target_id: targetId,
    message,
    message_format: 'array',
    raw_message: toCQString(message),
    font: 0,
    sender: {
      user_id: userId,
      nickname: 'Bob',
      sex: 'male',
      age: 30,
      ...(temp ? { group_id: tempSource } : {}),
    },
  } as MessageEvent;
}

const rich = [
  { type: 'reply', data: { id: '-12345' } },
  { type: 'at', data: { qq: '10001' } },
  { type: 'text', data: { text: ' 看这个 & [图] ' } },
  { type: 'face', data: { id: '178' } },
  {
    type: 'image',
    data: {
      file: '3b1ac6ea7a2e9c6ce34f9a93c2d5c6f1.image',
      subType: '0',
      url: 'https://multimedia.nt.qq.com.cn/download?appid=1407&fileid=EhQ3YjFhYzZlYTdhMmU5YzZjZTM0ZjlhOTNj&rkey=CAQSKAB6JWENi5LMtWVWVxS2RAZOQoDkIbG9DyDEgqQKtD1UGFyxMSqE9p0',
    },
  },
] as MessageEvent['message'];

const exact = (m: MessageEvent) => JSON.stringify(m);

describe('history codec: what is stored decodes to exactly what was published', () => {
  it.each([
    ['group text', group(10001, 20001, 7, [{ type: 'text', data: { text: 'hello' } }]), 100100],
    ['group, rich and long (deflated)', group(10001, 20001, 8, rich), 100100],
    [
      'group, anonymous',
      group(10001, 80000000, 9, [{ type: 'text', data: { text: 'who' } }], {
        anonymous: { id: 1, name: '匿名', flag: 'f|1' },
      }),
      100100,
    ],
    ['group, sent by the account', group(10001, 10001, 10, rich), 100100],
    ['private, received', direct(10001, 20001, 10001, 11), 0],
    ['private, sent', direct(10001, 10001, 20001, 12), 0],
    ['private, temporary', direct(10001, 20001, 10001, 13, 100100), 0],
    // An upstream implementation's own ids (NapCat, Lagrange) are not derived: kept.
    [
      'group, with an upstream’s id',
      { ...group(10001, 20001, 14, rich), message_id: 4242 },
      100100,
    ],
    ['private, with an upstream’s id', { ...direct(10001, 20001, 10001, 15), message_id: -7 }, 0],
  ] as const)('%s', (_name, event, groupId) => {
    const bytes = encodeMessage(event);
    expect(exact(decodeMessage(bytes, event.self_id, groupId))).toBe(exact(event));
  });

  it('one group record serves every account: post_type and self_id follow the reader', () => {
    const bytes = encodeMessage(group(10001, 10001, 5, rich));
    const other = decodeMessage(bytes, 10002, 100100);
    expect(other).toMatchObject({ self_id: 10002, post_type: 'message', user_id: 10001 });
    expect(exact(other)).toBe(exact(group(10002, 10001, 5, rich)));
  });

  it('records are much smaller than the JSON event; long ones are deflated', () => {
    const long = group(10001, 20001, 8, rich);
    const bytes = encodeMessage(long);
    expect(bytes[0]).toBe(1);
    expect(bytes.length).toBeLessThan(exact(long).length / 2.5);
    const hello = group(10001, 20001, 7, [{ type: 'text', data: { text: 'hello' } }]);
    const short = encodeMessage(hello);
    expect(short[0]).toBe(0);
    expect(short.length).toBeLessThan(exact(hello).length / 4);
  });

  it('a group record without its group, or bytes that are not a record, throw', () => {
    expect(() => decodeMessage(encodeMessage(group(10001, 20001, 7, rich)), 10001)).toThrow(
      /group id/,
    );
    expect(() => decodeMessage(Buffer.from([0, 0xc1]), 10001)).toThrow();
  });
});

describe('a record that inflates past what one stream message can hold', () => {
  it('is refused while it inflates, not inflated whole', () => {
    const text = 'a'.repeat(65 * 1024 * 1024);
    const bomb = encodeMessage(group(10001, 20001, 1, [{ type: 'text', data: { text } }]), 0);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    expect(() => decodeMessage(bomb, 10001, 100100)).toThrow(
      expect.objectContaining({ code: 'ERR_BUFFER_TOO_LARGE' }),
    );
  });
});
