/**
 * The event catalogue (reference §3.7–3.9, seed 事件): every event cqfleet reports, keyed as
 * `post_type.type[.sub_type]`, with the schema of its go-cqhttp shape. Conformance tests check
 * received events against it and the README's event table is generated from it.
 */
import { z } from 'zod';
import { formattedMessage } from './actions/shapes.js';
import type { ActionOrigin } from './action.js';

const base = { time: z.number().int(), self_id: z.number().int() };
const id = z.number().int();
const sex = z.enum(['male', 'female', 'unknown']);

const groupSender = z.looseObject({
  user_id: id,
  nickname: z.string(),
  card: z.string(),
  role: z.enum(['owner', 'admin', 'member']),
  title: z.string(),
  age: z.number(),
  area: z.string(),
  level: z.string(),
  sex,
});
const privateSender = z.looseObject({ user_id: id, nickname: z.string(), sex, age: z.number() });

const groupMessage = (postType: 'message' | 'message_sent', sub: 'normal' | 'anonymous') =>
  z.looseObject({
    post_type: z.literal(postType),
    message_type: z.literal('group'),
    sub_type: z.literal(sub),
    ...base,
    message_id: id,
    message_seq: id,
    group_id: id,
    user_id: id,
    anonymous:
      sub === 'anonymous'
        ? z.looseObject({ id: id, name: z.string(), flag: z.string() })
        : z.null(),
    message: formattedMessage,
    raw_message: z.string(),
    font: z.literal(0),
    sender: groupSender,
  });

const privateMessage = (postType: 'message' | 'message_sent', sub: 'friend' | 'group') =>
  z.looseObject({
    post_type: z.literal(postType),
    message_type: z.literal('private'),
    sub_type: z.literal(sub),
    ...base,
    ...(sub === 'group' ? { temp_source: id } : {}),
    message_id: id,
    user_id: id,
    target_id: id,
    message: formattedMessage,
    raw_message: z.string(),
    font: z.literal(0),
    sender: privateSender,
  });

const notice = <T extends z.ZodRawShape>(type: string, sub: string | undefined, shape: T) =>
  z.looseObject({
    post_type: z.literal('notice'),
    notice_type: z.literal(type),
    ...(sub ? { sub_type: z.literal(sub) } : {}),
    ...base,
    ...shape,
  });

const request = <T extends z.ZodRawShape>(type: string, sub: string | undefined, shape: T) =>
  z.looseObject({
    post_type: z.literal('request'),
    request_type: z.literal(type),
    ...(sub ? { sub_type: z.literal(sub) } : {}),
    ...base,
    ...shape,
  });

const device = z.looseObject({ app_id: id, device_name: z.string(), device_kind: z.string() });

export interface EventSpec {
  readonly origin: ActionOrigin;
  readonly summary: string;
  readonly schema: z.ZodType;
}

const spec = (origin: ActionOrigin, summary: string, schema: z.ZodType): EventSpec => ({
  origin,
  summary,
  schema,
});

export const events = {
  'message.private.friend': spec(
    'onebot11',
    'A private message from a friend.',
    privateMessage('message', 'friend'),
  ),
  'message.private.group': spec(
    'onebot11',
    'A temporary-session message started from a group.',
    privateMessage('message', 'group'),
  ),
  'message.group.normal': spec('onebot11', 'A group message.', groupMessage('message', 'normal')),
  'message.group.anonymous': spec(
    'onebot11',
    'An anonymous group message.',
    groupMessage('message', 'anonymous'),
  ),
  'message_sent.private.friend': spec(
    'go-cqhttp',
    "The account's own private message (report-self-message).",
    privateMessage('message_sent', 'friend'),
  ),
  'message_sent.group.normal': spec(
    'go-cqhttp',
    "The account's own group message (report-self-message).",
    groupMessage('message_sent', 'normal'),
  ),
  'notice.group_upload': spec(
    'onebot11',
    'A file uploaded to a group.',
    notice('group_upload', undefined, {
      group_id: id,
      user_id: id,
      file: z.looseObject({
        id: z.string(),
        name: z.string(),
        size: z.number(),
        busid: z.number(),
        url: z.string(),
      }),
    }),
  ),
  'notice.group_admin.set': spec(
    'onebot11',
    'A member became an admin.',
    notice('group_admin', 'set', { group_id: id, user_id: id }),
  ),
  'notice.group_admin.unset': spec(
    'onebot11',
    'An admin became a member.',
    notice('group_admin', 'unset', { group_id: id, user_id: id }),
  ),
  'notice.group_decrease.leave': spec(
    'onebot11',
    'A member left.',
    notice('group_decrease', 'leave', { group_id: id, operator_id: id, user_id: id }),
  ),
  'notice.group_decrease.kick': spec(
    'onebot11',
    'A member was kicked.',
    notice('group_decrease', 'kick', { group_id: id, operator_id: id, user_id: id }),
  ),
  'notice.group_decrease.kick_me': spec(
    'onebot11',
    'The account was kicked (or the group dismissed).',
    notice('group_decrease', 'kick_me', { group_id: id, operator_id: id, user_id: id }),
  ),
  'notice.group_increase.approve': spec(
    'onebot11',
    'A member joined (operator_id 0, as go-cqhttp).',
    notice('group_increase', 'approve', { group_id: id, operator_id: z.literal(0), user_id: id }),
  ),
  'notice.group_ban.ban': spec(
    'onebot11',
    'A member (user_id 0: the whole group) was muted.',
    notice('group_ban', 'ban', {
      group_id: id,
      operator_id: id,
      user_id: id,
      duration: z.number().int(),
    }),
  ),
  'notice.group_ban.lift_ban': spec(
    'onebot11',
    'A mute was lifted.',
    notice('group_ban', 'lift_ban', {
      group_id: id,
      operator_id: id,
      user_id: id,
      duration: z.number().int(),
    }),
  ),
  'notice.group_recall': spec(
    'onebot11',
    'A group message was recalled.',
    notice('group_recall', undefined, {
      group_id: id,
      user_id: id,
      operator_id: id,
      message_id: id,
    }),
  ),
  'notice.friend_recall': spec(
    'onebot11',
    'A private message was recalled.',
    notice('friend_recall', undefined, { user_id: id, message_id: id }),
  ),
  'notice.friend_add': spec(
    'onebot11',
    'A new friend.',
    notice('friend_add', undefined, { user_id: id }),
  ),
  'notice.notify.poke': spec(
    'onebot11',
    'A poke in a group (group_id) or between friends.',
    notice('notify', 'poke', {
      user_id: id,
      sender_id: id,
      target_id: id,
      group_id: id.optional(),
    }),
  ),
  'notice.notify.lucky_king': spec(
    'onebot11',
    'The lucky king of a red packet.',
    notice('notify', 'lucky_king', { group_id: id, user_id: id, target_id: id }),
  ),
  'notice.notify.honor': spec(
    'onebot11',
    'A member earned an honour.',
    notice('notify', 'honor', {
      group_id: id,
      user_id: id,
      honor_type: z.enum(['talkative', 'performer', 'emotion']),
    }),
  ),
  'notice.notify.title': spec(
    'go-cqhttp',
    'A member got a special title.',
    notice('notify', 'title', { group_id: id, user_id: id, title: z.string() }),
  ),
  'notice.group_card': spec(
    'go-cqhttp',
    "A member's card changed.",
    notice('group_card', undefined, {
      group_id: id,
      user_id: id,
      card_new: z.string(),
      card_old: z.string(),
    }),
  ),
  'notice.offline_file': spec(
    'go-cqhttp',
    'A file sent to the account.',
    notice('offline_file', undefined, {
      user_id: id,
      file: z.looseObject({ name: z.string(), size: z.number(), url: z.string() }),
    }),
  ),
  'notice.client_status': spec(
    'go-cqhttp',
    'Another device of the account came online or left.',
    notice('client_status', undefined, { client: device, online: z.boolean() }),
  ),
  'notice.essence.add': spec(
    'go-cqhttp',
    'A message became essence.',
    notice('essence', 'add', { group_id: id, sender_id: id, operator_id: id, message_id: id }),
  ),
  'notice.essence.delete': spec(
    'go-cqhttp',
    'A message left essence.',
    notice('essence', 'delete', { group_id: id, sender_id: id, operator_id: id, message_id: id }),
  ),
  'notice.group_msg_emoji_like': spec(
    'nt',
    'An emoji reaction on a group message, added or removed (NapCat shape).',
    notice('group_msg_emoji_like', undefined, {
      group_id: id,
      user_id: id,
      message_id: id,
      likes: z.array(z.looseObject({ emoji_id: z.string(), count: z.number() })),
      is_add: z.boolean(),
    }),
  ),
  'notice.notify.group_name': spec(
    'nt',
    'A group was renamed (NapCat shape).',
    notice('notify', 'group_name', { group_id: id, user_id: id, name_new: z.string() }),
  ),
  'notice.notify.profile_like': spec(
    'nt',
    "Someone liked the account's profile (NapCat shape).",
    notice('notify', 'profile_like', {
      operator_id: id,
      operator_nick: z.string(),
      times: z.number(),
    }),
  ),
  'notice.notify.input_status': spec(
    'nt',
    'A friend is typing, or stopped (NapCat shape).',
    notice('notify', 'input_status', {
      user_id: id,
      group_id: id.optional(),
      event_type: z.number(),
      status_text: z.string(),
    }),
  ),
  'notice.bot_offline': spec(
    'nt',
    'The account was logged out by the QQ side (NapCat shape).',
    notice('bot_offline', undefined, { user_id: id, tag: z.string(), message: z.string() }),
  ),
  'notice.notify.gray_tip': spec(
    'nt',
    'A gray tip in a group: a gift given (NapCat shape; busi_id "gift", content the tip as JSON).',
    notice('notify', 'gray_tip', {
      group_id: id,
      user_id: id,
      message_id: id,
      busi_id: z.string(),
      content: z.string(),
    }),
  ),
  'request.friend': spec(
    'onebot11',
    'Someone asks to be friends.',
    request('friend', undefined, { user_id: id, comment: z.string(), flag: z.string() }),
  ),
  'request.group.add': spec(
    'onebot11',
    'Someone asks to join a group the account manages.',
    request('group', 'add', {
      group_id: id,
      user_id: id,
      invitor_id: id,
      comment: z.string(),
      flag: z.string(),
    }),
  ),
  'request.group.invite': spec(
    'onebot11',
    'The account is invited into a group.',
    request('group', 'invite', {
      group_id: id,
      user_id: id,
      invitor_id: z.literal(0),
      comment: z.string(),
      flag: z.string(),
    }),
  ),
  'meta_event.lifecycle.connect': spec(
    'onebot11',
    'First frame of an event-capable WebSocket.',
    z.looseObject({
      post_type: z.literal('meta_event'),
      meta_event_type: z.literal('lifecycle'),
      sub_type: z.literal('connect'),
      ...base,
    }),
  ),
} as const satisfies Record<string, EventSpec>;

export type EventKey = keyof typeof events;

/** The catalogue key of an event: `post_type.type[.sub_type]` (the first that exists). */
export function eventKey(event: Record<string, unknown>): EventKey | undefined {
  const post = String(event.post_type ?? '');
  const type = String(
    event.message_type ?? event.notice_type ?? event.request_type ?? event.meta_event_type ?? '',
  );
  const sub = event.sub_type === undefined ? undefined : String(event.sub_type);
  for (const key of sub ? [`${post}.${type}.${sub}`, `${post}.${type}`] : [`${post}.${type}`])
    if (Object.hasOwn(events, key)) return key as EventKey;
  return undefined;
}
