/**
 * Event shapes (reference §3.7–3.9, seed "事件").
 *
 * Events are built with go-cqhttp's key order: `post_type`, the type key
 * (`message_type` / `notice_type` / `request_type` / `meta_event_type`), `time`, `self_id`,
 * `sub_type` when present, then the rest. Inside the cluster `message` is always a segment
 * array; a gateway endpoint configured for the `string` format replaces it with the CQ string.
 */
import type { Segment } from './segment.js';

export type PostType = 'message' | 'message_sent' | 'notice' | 'request' | 'meta_event';

export interface EventBase {
  post_type: PostType;
  time: number;
  self_id: number;
  sub_type?: string;
}

export interface GroupSender {
  user_id: number;
  nickname: string;
  card: string;
  role: 'owner' | 'admin' | 'member';
  title: string;
  age: number;
  area: string;
  level: string;
  sex: 'male' | 'female' | 'unknown';
}

export interface PrivateSender {
  user_id: number;
  nickname: string;
  sex: 'male' | 'female' | 'unknown';
  age: number;
  group_id?: number;
}

export interface Anonymous {
  id: number;
  name: string;
  flag: string;
}

export interface GroupMessageEvent extends EventBase {
  post_type: 'message' | 'message_sent';
  message_type: 'group';
  sub_type: 'normal' | 'anonymous' | 'notice';
  message_id: number;
  message_seq: number;
  group_id: number;
  user_id: number;
  anonymous: Anonymous | null;
  message: Segment[];
  /** Which form `message` has (NapCat's field; `array` inside the cluster). */
  message_format?: 'array' | 'string';
  raw_message: string;
  font: number;
  sender: GroupSender;
}

export interface PrivateMessageEvent extends EventBase {
  post_type: 'message' | 'message_sent';
  message_type: 'private';
  sub_type: 'friend' | 'group' | 'other';
  message_id: number;
  message_seq: number;
  user_id: number;
  target_id: number;
  temp_source?: number;
  message: Segment[];
  message_format?: 'array' | 'string';
  raw_message: string;
  font: number;
  sender: PrivateSender;
}

export type MessageEvent = GroupMessageEvent | PrivateMessageEvent;

export interface NoticeEvent extends EventBase {
  post_type: 'notice';
  notice_type: string;
  [field: string]: unknown;
}

export interface RequestEvent extends EventBase {
  post_type: 'request';
  request_type: 'friend' | 'group';
  [field: string]: unknown;
}

export interface MetaEvent extends EventBase {
  post_type: 'meta_event';
  meta_event_type: 'lifecycle' | 'heartbeat';
  [field: string]: unknown;
}

export type OneBotEvent = MessageEvent | NoticeEvent | RequestEvent | MetaEvent;

/** The key that names an event's type for its post type. */
export function eventTypeKey(postType: PostType): string {
  switch (postType) {
    case 'message':
    case 'message_sent':
      return 'message_type';
    case 'notice':
      return 'notice_type';
    case 'request':
      return 'request_type';
    case 'meta_event':
      return 'meta_event_type';
  }
}

/**
 * Builds an event in go-cqhttp's key order from its parts.
 * `fields` may not repeat the fixed keys.
 */
export function buildEvent<T extends OneBotEvent>(
  postType: PostType,
  type: string,
  selfId: number,
  time: number,
  subType: string | undefined,
  fields: Record<string, unknown>,
): T {
  const event: Record<string, unknown> = { post_type: postType, [eventTypeKey(postType)]: type };
  event.time = time;
  event.self_id = selfId;
  if (subType) event.sub_type = subType;
  Object.assign(event, fields);
  return event as T;
}

export function lifecycleEvent(
  selfId: number,
  time: number,
  subType: 'connect' | 'enable' | 'disable',
  extra: Record<string, unknown> = {},
): MetaEvent {
  return buildEvent<MetaEvent>('meta_event', 'lifecycle', selfId, time, subType, extra);
}

export function heartbeatEvent(
  selfId: number,
  time: number,
  status: unknown,
  intervalMs: number,
): MetaEvent {
  return buildEvent<MetaEvent>('meta_event', 'heartbeat', selfId, time, undefined, {
    status,
    interval: intervalMs,
  });
}

export function isMessageEvent(event: { post_type?: unknown }): event is MessageEvent {
  return event.post_type === 'message' || event.post_type === 'message_sent';
}
