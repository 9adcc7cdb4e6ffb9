/**
 * Things that happen to an account on the QQ side, one schema per `kind`: what a driver
 * reports and the session turns into OneBot events (services/session/src/events/normalize.ts).
 * Each is delivered once per account, in order; `time` is Unix seconds.
 */
import { z } from 'zod';
import { Anonymous, Device, GroupSender, PrivateSender } from './models.js';
import { segments } from './wire.js';

const id = z.number().int();
const at = { time: z.number() };
const kind = <K extends string, S extends z.ZodRawShape>(k: K, shape: S) =>
  z.object({ kind: z.literal(k), ...at, ...shape });

export const QQEvent = z.discriminatedUnion('kind', [
  kind('group_message', {
    group_id: id,
    seq: z.number(),
    sender: GroupSender,
    anonymous: Anonymous.nullable(),
    elements: segments,
  }),
  kind('private_message', {
    seq: z.number(),
    sender: PrivateSender,
    target_id: id,
    /** The group a temporary session started from; absent between friends. */
    temp_source: id.optional(),
    elements: segments,
  }),
  kind('group_upload', {
    group_id: id,
    user_id: id,
    file: z.object({
      id: z.string(),
      name: z.string(),
      size: z.number(),
      busid: z.number(),
      url: z.string(),
    }),
  }),
  kind('group_admin', { group_id: id, user_id: id, set: z.boolean() }),
  kind('group_decrease', {
    group_id: id,
    user_id: id,
    operator_id: id,
    sub_type: z.enum(['leave', 'kick', 'kick_me']),
  }),
  kind('group_increase', {
    group_id: id,
    user_id: id,
    operator_id: id,
    sub_type: z.enum(['approve', 'invite']),
  }),
  kind('group_ban', {
    group_id: id,
    /** 0 for the whole group. */
    user_id: id,
    operator_id: id,
    duration: z.number(),
    sub_type: z.enum(['ban', 'lift_ban']),
  }),
  kind('group_recall', { group_id: id, user_id: id, operator_id: id, seq: z.number() }),
  kind('friend_recall', { user_id: id, seq: z.number() }),
  kind('friend_add', { user_id: id }),
  kind('poke', { group_id: id.optional(), sender_id: id, target_id: id }),
  kind('lucky_king', { group_id: id, sender_id: id, target_id: id }),
  kind('honor', {
    group_id: id,
    user_id: id,
    honor_type: z.enum(['talkative', 'performer', 'emotion']),
  }),
  kind('title', { group_id: id, user_id: id, title: z.string() }),
  kind('group_card', { group_id: id, user_id: id, card_new: z.string(), card_old: z.string() }),
  kind('offline_file', {
    user_id: id,
    file: z.object({ name: z.string(), size: z.number(), url: z.string() }),
  }),
  kind('client_status', { online: z.boolean(), client: Device }),
  kind('essence', {
    group_id: id,
    sender_id: id,
    operator_id: id,
    seq: z.number(),
    sub_type: z.enum(['add', 'delete']),
  }),
  kind('friend_request', { user_id: id, comment: z.string(), flag: z.string() }),
  kind('group_request', {
    group_id: id,
    user_id: id,
    invitor_id: id,
    comment: z.string(),
    flag: z.string(),
    sub_type: z.enum(['add', 'invite']),
  }),
  kind('reaction', {
    group_id: id,
    user_id: id,
    seq: z.number(),
    emoji_id: z.string(),
    set: z.boolean(),
    /** How many reacted with this emoji after the change (removals included). */
    count: z.number().optional(),
  }),
  // --- NT-era ---------------------------------------------------------------------------
  /** A group was renamed. */
  kind('group_name', { group_id: id, operator_id: id, name_new: z.string() }),
  /** Someone liked the account's profile. */
  kind('profile_like', { operator_id: id, operator_nick: z.string(), times: z.number() }),
  /** A friend (or a member, with `group_id`) is typing, or stopped. */
  kind('input_status', {
    user_id: id,
    group_id: id.optional(),
    event_type: z.number(),
    status_text: z.string(),
  }),
  /** The account was logged out by the QQ side (kicked, banned, elsewhere). */
  kind('bot_offline', { tag: z.string(), message: z.string() }),
  /**
   * A member gave another one of QQ's free group gifts: the group shows it as a gray tip, which
   * takes a seq of the group (it is not a message: history and `get_msg` do not have it).
   */
  kind('gift', {
    group_id: id,
    seq: z.number(),
    sender_id: id,
    target_id: id,
    gift_id: z.number(),
    gift_name: z.string(),
  }),
]);
export type QQEvent = z.infer<typeof QQEvent>;
export type QQEventKind = QQEvent['kind'];
