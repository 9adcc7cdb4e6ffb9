/** Message events shaped as the session publishes them, for the history store's and service's tests. */
import { type MessageEvent, messageId, toCQString } from '@cqfleet/onebot';

/** The `time` of seq 0 in these fixtures. */
export const MESSAGE_T0 = 1_764_000_000;

export function groupMsg(
  selfId: number,
  group: number,
  seq: number,
  time = MESSAGE_T0 + seq,
): MessageEvent {
  const message = [
    { type: 'text', data: { text: `g${group} #${seq}` } },
  ] as MessageEvent['message'];
  return {
    post_type: 'message',
    message_type: 'group',
    time,
    self_id: selfId,
    sub_type: 'normal',
    message_id: messageId(group, seq),
    message_seq: seq,
    group_id: group,
    user_id: 20001,
    anonymous: null,
    message,
    message_format: 'array',
    raw_message: toCQString(message),
    font: 0,
    sender: {
      user_id: 20001,
      nickname: 'Alice',
      card: '',
      role: 'member',
      title: '',
      age: 0,
      area: '',
      level: '1',
      sex: 'unknown',
    },
  } as MessageEvent;
}

export function privateMsg(
  selfId: number,
  from: number,
  to: number,
  seq: number,
  time = MESSAGE_T0 + seq,
): MessageEvent {
  const message = [
    { type: 'text', data: { text: `${from}→${to} #${seq}` } },
  ] as MessageEvent['message'];
  return {
    post_type: from === selfId ? 'message_sent' : 'message',
    message_type: 'private',
    time,
    self_id: selfId,
    sub_type: 'friend',
    message_id: messageId(from, seq),
    message_seq: seq,
    user_id: from,
    target_id: to,
    message,
    message_format: 'array',
    raw_message: toCQString(message),
    font: 0,
    sender: { user_id: from, nickname: 'Bob', sex: 'unknown', age: 0 },
  } as MessageEvent;
}
