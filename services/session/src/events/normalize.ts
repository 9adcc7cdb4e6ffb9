/**
 * Turns what a driver reports into OneBot events in go-cqhttp's shape (reference §3.9). The
 * `message` field is a segment array; gateways format it per endpoint.
 */
import {
  buildEvent,
  type GroupMessageEvent,
  messageId,
  type OneBotEvent,
  type PrivateMessageEvent,
  type Segment,
  toCQString,
} from '@cqfleet/onebot';
import type { SimEvent, SimGroupSender, SimPrivateSender } from '@cqfleet/sim-client';

export interface GroupMessageParts {
  selfId: number;
  postType: 'message' | 'message_sent';
  groupId: number;
  seq: number;
  time: number;
  sender: SimGroupSender;
  elements: Segment[];
}

export function groupMessageEvent(p: GroupMessageParts): GroupMessageEvent {
  const s = p.sender;
  return buildEvent<GroupMessageEvent>(p.postType, 'group', p.selfId, p.time, 'normal', {
    message_id: messageId(p.groupId, p.seq),
    message_seq: p.seq,
    group_id: p.groupId,
    user_id: s.user_id,
    anonymous: null,
    message: p.elements,
    raw_message: toCQString(p.elements),
    font: 0,
    sender: {
      user_id: s.user_id,
      nickname: s.nickname,
      card: s.card,
      role: s.role,
      title: s.title,
      age: s.age,
      area: s.area,
      level: s.level,
      sex: s.sex,
    },
  });
}

export interface PrivateMessageParts {
  selfId: number;
  postType: 'message' | 'message_sent';
  seq: number;
  time: number;
  sender: SimPrivateSender;
  targetId: number;
  elements: Segment[];
}

/** `message_id` of a private message is computed from its sender (reference §4.5). */
export function privateMessageEvent(p: PrivateMessageParts): PrivateMessageEvent {
  const s = p.sender;
  return buildEvent<PrivateMessageEvent>(p.postType, 'private', p.selfId, p.time, 'friend', {
    message_id: messageId(s.user_id, p.seq),
    message_seq: p.seq,
    user_id: s.user_id,
    target_id: p.targetId,
    message: p.elements,
    raw_message: toCQString(p.elements),
    font: 0,
    sender: { user_id: s.user_id, nickname: s.nickname, sex: s.sex, age: s.age },
  });
}

/** The OneBot event for something the driver reported, or undefined for nothing to report. */
export function normalize(selfId: number, event: SimEvent): OneBotEvent | undefined {
  switch (event.kind) {
    case 'group_message':
      return groupMessageEvent({
        selfId,
        postType: 'message',
        groupId: event.group_id,
        seq: event.seq,
        time: event.time,
        sender: event.sender,
        elements: event.elements,
      });
    case 'private_message':
      return privateMessageEvent({
        selfId,
        postType: 'message',
        seq: event.seq,
        time: event.time,
        sender: event.sender,
        targetId: event.target_id,
        elements: event.elements,
      });
  }
}
