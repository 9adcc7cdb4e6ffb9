/**
 * Turns what a driver reports into OneBot events in go-cqhttp's shape (reference §3.9, seed
 * 事件). Message events carry `message` as a segment array; gateways format it per endpoint.
 *
 * Differences from go-cqhttp, chosen for correctness: temporary-session messages get the
 * usual CRC `message_id` (go-cqhttp reports the raw seq and never stores them), and every
 * private message carries `message_seq` like group messages do.
 */
import {
  buildEvent,
  type GroupMessageEvent,
  messageId,
  type NoticeEvent,
  type OneBotEvent,
  type PrivateMessageEvent,
  type RequestEvent,
  type Segment,
  toCQString,
} from '@cqfleet/onebot';
import type { SimAnonymous, SimEvent, SimGroupSender, SimPrivateSender } from '@cqfleet/sim-client';
import { incomingSegments, type IncomingOptions } from '../segments/incoming.js';

export interface GroupMessageParts {
  selfId: number;
  postType: 'message' | 'message_sent';
  groupId: number;
  seq: number;
  time: number;
  sender: SimGroupSender;
  anonymous?: SimAnonymous | null;
  elements: Segment[];
}

export function groupMessageEvent(p: GroupMessageParts): GroupMessageEvent {
  const s = p.sender;
  return buildEvent<GroupMessageEvent>(
    p.postType,
    'group',
    p.selfId,
    p.time,
    p.anonymous ? 'anonymous' : 'normal',
    {
      message_id: messageId(p.groupId, p.seq),
      message_seq: p.seq,
      group_id: p.groupId,
      user_id: s.user_id,
      anonymous: p.anonymous ?? null,
      message: p.elements,
      message_format: 'array',
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
    },
  );
}

export interface PrivateMessageParts {
  selfId: number;
  postType: 'message' | 'message_sent';
  seq: number;
  time: number;
  sender: SimPrivateSender;
  targetId: number;
  tempSource?: number;
  elements: Segment[];
}

/** `message_id` of a private message is computed from its sender (reference §4.5). */
export function privateMessageEvent(p: PrivateMessageParts): PrivateMessageEvent {
  const s = p.sender;
  const temp = p.tempSource !== undefined;
  return buildEvent<PrivateMessageEvent>(
    p.postType,
    'private',
    p.selfId,
    p.time,
    temp ? 'group' : 'friend',
    {
      ...(temp ? { temp_source: p.tempSource } : {}),
      message_id: messageId(s.user_id, p.seq),
      message_seq: p.seq,
      user_id: s.user_id,
      target_id: p.targetId,
      message: p.elements,
      message_format: 'array',
      raw_message: toCQString(p.elements),
      font: 0,
      sender: {
        user_id: s.user_id,
        nickname: s.nickname,
        sex: s.sex,
        age: s.age,
        ...(temp ? { group_id: p.tempSource } : {}),
      },
    },
  );
}

const notice = (
  selfId: number,
  time: number,
  type: string,
  sub: string | undefined,
  fields: Record<string, unknown>,
) => buildEvent<NoticeEvent>('notice', type, selfId, time, sub, fields);

const request = (
  selfId: number,
  time: number,
  type: 'friend' | 'group',
  sub: string | undefined,
  fields: Record<string, unknown>,
) => buildEvent<RequestEvent>('request', type, selfId, time, sub, fields);

/**
 * A gift given in a group, as NapCat reports a gray tip (`notify/gray_tip`): `user_id` the giver,
 * `message_id` the tip's (it takes a seq of the group), `busi_id` "gift", `content` the tip as
 * QQ draws it (JSON: the giver, the words, the receiver), `raw_info` the gift itself.
 */
function giftGrayTip(selfId: number, e: Extract<SimEvent, { kind: 'gift' }>): OneBotEvent {
  const name = (uin: number) => ({ type: 'qq', uin: String(uin) });
  const content = {
    align: 'center',
    items: [
      name(e.sender_id),
      { type: 'nor', txt: '送给' },
      name(e.target_id),
      { type: 'nor', txt: `一个${e.gift_name}` },
    ],
  };
  return notice(selfId, e.time, 'notify', 'gray_tip', {
    group_id: e.group_id,
    user_id: e.sender_id,
    message_id: messageId(e.group_id, e.seq),
    busi_id: 'gift',
    content: JSON.stringify(content),
    raw_info: {
      type: 'gift',
      sender_id: e.sender_id,
      target_id: e.target_id,
      gift_id: e.gift_id,
      gift_name: e.gift_name,
    },
  });
}

/** The OneBot event for something the driver reported. */
export function normalize(selfId: number, e: SimEvent, options: IncomingOptions): OneBotEvent {
  const t = e.time;
  switch (e.kind) {
    case 'group_message':
      return groupMessageEvent({
        selfId,
        postType: 'message',
        groupId: e.group_id,
        seq: e.seq,
        time: t,
        sender: e.sender,
        anonymous: e.anonymous,
        elements: incomingSegments(e.elements, e.group_id, options),
      });
    case 'private_message':
      return privateMessageEvent({
        selfId,
        postType: 'message',
        seq: e.seq,
        time: t,
        sender: e.sender,
        targetId: e.target_id,
        tempSource: e.temp_source,
        elements: incomingSegments(e.elements, undefined, options),
      });
    case 'group_upload':
      return notice(selfId, t, 'group_upload', undefined, {
        group_id: e.group_id,
        user_id: e.user_id,
        file: e.file,
      });
    case 'group_admin':
      return notice(selfId, t, 'group_admin', e.set ? 'set' : 'unset', {
        group_id: e.group_id,
        user_id: e.user_id,
      });
    case 'group_decrease':
    case 'group_increase':
      return notice(selfId, t, e.kind, e.sub_type, {
        group_id: e.group_id,
        operator_id: e.operator_id,
        user_id: e.user_id,
      });
    case 'group_ban':
      return notice(selfId, t, 'group_ban', e.sub_type, {
        group_id: e.group_id,
        operator_id: e.operator_id,
        user_id: e.user_id,
        duration: e.duration,
      });
    case 'group_recall':
      return notice(selfId, t, 'group_recall', undefined, {
        group_id: e.group_id,
        user_id: e.user_id,
        operator_id: e.operator_id,
        message_id: messageId(e.group_id, e.seq),
      });
    case 'friend_recall':
      return notice(selfId, t, 'friend_recall', undefined, {
        user_id: e.user_id,
        message_id: messageId(e.user_id, e.seq),
      });
    case 'friend_add':
      return notice(selfId, t, 'friend_add', undefined, { user_id: e.user_id });
    case 'poke':
      return notice(selfId, t, 'notify', 'poke', {
        ...(e.group_id !== undefined ? { group_id: e.group_id } : {}),
        user_id: e.sender_id,
        sender_id: e.sender_id,
        target_id: e.target_id,
      });
    case 'lucky_king':
      return notice(selfId, t, 'notify', 'lucky_king', {
        group_id: e.group_id,
        user_id: e.sender_id,
        sender_id: e.sender_id,
        target_id: e.target_id,
      });
    case 'honor':
      return notice(selfId, t, 'notify', 'honor', {
        group_id: e.group_id,
        user_id: e.user_id,
        honor_type: e.honor_type,
      });
    case 'title':
      return notice(selfId, t, 'notify', 'title', {
        group_id: e.group_id,
        user_id: e.user_id,
        title: e.title,
      });
    case 'group_card':
      return notice(selfId, t, 'group_card', undefined, {
        group_id: e.group_id,
        user_id: e.user_id,
        card_new: e.card_new,
        card_old: e.card_old,
      });
    case 'offline_file':
      return notice(selfId, t, 'offline_file', undefined, { user_id: e.user_id, file: e.file });
    case 'client_status':
      return notice(selfId, t, 'client_status', undefined, { client: e.client, online: e.online });
    case 'essence':
      return notice(selfId, t, 'essence', e.sub_type, {
        group_id: e.group_id,
        sender_id: e.sender_id,
        operator_id: e.operator_id,
        message_id: messageId(e.group_id, e.seq),
      });
    case 'reaction':
      // NapCat's shape; go-cqhttp has no reaction event.
      return notice(selfId, t, 'group_msg_emoji_like', undefined, {
        group_id: e.group_id,
        user_id: e.user_id,
        message_id: messageId(e.group_id, e.seq),
        likes: [{ emoji_id: e.emoji_id, count: e.count ?? (e.set ? 1 : 0) }],
        is_add: e.set,
      });
    case 'group_name':
      return notice(selfId, t, 'notify', 'group_name', {
        group_id: e.group_id,
        user_id: e.operator_id,
        name_new: e.name_new,
      });
    case 'profile_like':
      return notice(selfId, t, 'notify', 'profile_like', {
        operator_id: e.operator_id,
        operator_nick: e.operator_nick,
        times: e.times,
      });
    case 'input_status':
      return notice(selfId, t, 'notify', 'input_status', {
        user_id: e.user_id,
        ...(e.group_id !== undefined ? { group_id: e.group_id } : {}),
        event_type: e.event_type,
        status_text: e.status_text,
      });
    case 'bot_offline':
      return notice(selfId, t, 'bot_offline', undefined, {
        user_id: selfId,
        tag: e.tag,
        message: e.message,
      });
    case 'gift':
      return giftGrayTip(selfId, e);
    case 'friend_request':
      return request(selfId, t, 'friend', undefined, {
        user_id: e.user_id,
        comment: e.comment,
        flag: e.flag,
      });
    case 'group_request':
      return request(selfId, t, 'group', e.sub_type, {
        group_id: e.group_id,
        user_id: e.user_id,
        invitor_id: e.invitor_id,
        comment: e.comment,
        flag: e.flag,
      });
  }
}
