/**
 * Every operation an account performs on the QQ side, as data: its arguments (read by the
 * lenient rules of wire.ts) and its result. The simulator checks every call against this table
 * before running it; `@cqfleet/sim-client` and the session's drivers are typed by it. A new
 * QQ-side operation is one entry here plus its implementations.
 */
import { z } from 'zod';
import {
  Device,
  Essence,
  FileListing,
  FileSystemInfo,
  ForwardNode,
  ForwardNodeInput,
  Friend,
  Group,
  GroupHistoryMessage,
  GroupSystemMessages,
  Guild,
  HonorInfo,
  Member,
  Notice,
  RecentContact,
  SentMessage,
  StoredMessage,
  UnidirectionalFriend,
  User,
  VipInfo,
} from './models.js';
import { elements, flag, int, optInt, segments, text } from './wire.js';

export interface OpSpec<A extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  args: A;
  result: R;
}

const op = <A extends z.ZodType, R extends z.ZodType>(args: A, result: R): OpSpec<A, R> => ({
  args,
  result,
});

const none = z.object({});
const ok = z.null();

/**
 * Arguments that name a chat: `group_id` when given, else `user_id`, read into `chat`
 * (`{group_id}` or `{user_id}`); a call naming neither is refused.
 */
const withChat = <S extends z.ZodRawShape>(shape: S) =>
  z.object({ group_id: optInt, user_id: optInt, ...shape }).transform((a, ctx) => {
    const { group_id, user_id, ...rest } = a as { group_id?: number; user_id?: number };
    const chat: { group_id: number } | { user_id: number } | undefined =
      group_id !== undefined ? { group_id } : user_id !== undefined ? { user_id } : undefined;
    if (!chat) {
      ctx.addIssue({ code: 'custom', path: ['user_id'], message: 'must be an integer' });
      return z.NEVER;
    }
    return { ...(rest as z.output<z.ZodObject<S>>), chat };
  });

const mediaKind = z.enum(['image', 'record', 'video']);
const guildRoleFields = {
  guild_id: text,
  name: text,
  color: int,
  independent: flag,
};

export const qqOps = {
  login: op(
    z.object({ uin: int, fence: int, resume_after: int, epoch: text }),
    z.object({ self: User, epoch: z.string(), last_seq: z.number(), protocol: z.number() }),
  ),
  // --- people ---------------------------------------------------------------------------
  get_friends: op(none, z.array(Friend)),
  get_unidirectional_friends: op(none, z.array(UnidirectionalFriend)),
  delete_friend: op(z.object({ user_id: int }), ok),
  delete_unidirectional_friend: op(z.object({ user_id: int }), ok),
  get_user: op(z.object({ user_id: int }), User),
  get_vip_info: op(z.object({ user_id: int }), VipInfo),
  send_like: op(z.object({ user_id: int, times: int }), ok),
  poke: op(z.object({ user_id: int, group_id: optInt }), ok),
  set_profile: op(
    z.object({
      nickname: z.string().optional(),
      company: z.string().optional(),
      email: z.string().optional(),
      college: z.string().optional(),
      personal_note: z.string().optional(),
    }),
    ok,
  ),
  handle_friend_request: op(z.object({ flag: text, approve: flag, remark: text }), ok),
  get_online_clients: op(none, z.array(Device)),
  get_model_show: op(
    z.object({ model: text }),
    z.array(z.object({ model_show: z.string(), need_pay: z.boolean() })),
  ),
  set_model_show: op(z.object({ model: text, model_show: text }), ok),
  get_cookies: op(
    z.object({ domain: text }),
    z.object({ cookies: z.string(), csrf_token: z.number() }),
  ),
  check_url: op(z.object({ url: text }), z.object({ level: z.number() })),
  get_custom_faces: op(z.object({ count: int }), z.array(z.string())),
  // --- groups ---------------------------------------------------------------------------
  get_groups: op(none, z.array(Group)),
  get_group: op(z.object({ group_id: int }), Group),
  get_members: op(z.object({ group_id: int }), z.array(Member)),
  get_member: op(z.object({ group_id: int, user_id: int }), Member),
  kick: op(z.object({ group_id: int, user_id: int, reject_add_request: flag }), ok),
  ban: op(z.object({ group_id: int, user_id: int, duration: int }), ok),
  ban_anonymous: op(z.object({ group_id: int, flag: text, duration: int }), ok),
  whole_ban: op(z.object({ group_id: int, enable: flag }), ok),
  set_admin: op(z.object({ group_id: int, user_id: int, enable: flag }), ok),
  set_anonymous: op(z.object({ group_id: int, enable: flag }), ok),
  set_card: op(z.object({ group_id: int, user_id: int, card: text }), ok),
  set_group_name: op(z.object({ group_id: int, name: text }), ok),
  leave_group: op(z.object({ group_id: int, dismiss: flag }), ok),
  set_title: op(z.object({ group_id: int, user_id: int, title: text }), ok),
  set_portrait: op(z.object({ group_id: int, image: text }), ok),
  sign_in: op(z.object({ group_id: int }), ok),
  get_at_all_remain: op(
    z.object({ group_id: int }),
    z.object({
      can_at_all: z.boolean(),
      remain_at_all_count_for_group: z.number(),
      remain_at_all_count_for_uin: z.number(),
    }),
  ),
  get_honors: op(z.object({ group_id: int }), HonorInfo),
  get_shut_list: op(z.object({ group_id: int }), z.array(Member)),
  send_notice: op(
    z.object({
      group_id: int,
      content: text,
      image: z.string().optional(),
      width: optInt,
      height: optInt,
    }),
    z.object({ notice_id: z.string() }),
  ),
  get_notices: op(z.object({ group_id: int }), z.array(Notice)),
  delete_notice: op(z.object({ group_id: int, notice_id: text }), ok),
  get_system_messages: op(none, GroupSystemMessages),
  handle_group_request: op(z.object({ flag: text, approve: flag, reason: text }), ok),
  // --- messages -------------------------------------------------------------------------
  send_group_msg: op(z.object({ group_id: int, elements }), SentMessage),
  /** `group_id` makes it a temporary session started from that group. */
  send_private_msg: op(z.object({ user_id: int, elements, group_id: optInt }), SentMessage),
  send_forward: op(
    withChat({ nodes: z.array(ForwardNodeInput) }),
    SentMessage.extend({ resid: z.string() }),
  ),
  get_forward: op(z.object({ resid: text }), z.array(ForwardNode)),
  get_message: op(withChat({ seq: int, sender_id: optInt }), StoredMessage),
  /** Of the `count` seqs ending at `seq` (latest when 0), the messages that still exist. */
  get_group_messages: op(
    z.object({ group_id: int, seq: int, count: int }),
    z.array(GroupHistoryMessage),
  ),
  recall: op(withChat({ seq: int, sender_id: int }), ok),
  set_essence: op(z.object({ group_id: int, seq: int, enable: flag }), ok),
  get_essence_list: op(z.object({ group_id: int }), z.array(Essence)),
  react: op(z.object({ group_id: int, seq: int, emoji_id: text, set: flag }), ok),
  mark_read: op(z.object({ group_id: optInt, user_id: optInt, seq: optInt }), ok),
  get_recent_contacts: op(z.object({ count: int }), z.array(RecentContact)),
  /** Where a received media name (`<md5>.image`, `.amr`, `.video`) can be fetched. */
  get_media: op(
    z.object({ kind: mediaKind, name: text }),
    z.object({ url: z.string(), size: z.number(), filename: z.string() }),
  ),
  /**
   * Where media for sending is uploaded (QQ's "highway"): `HEAD <url>/<md5>.<ext>` answers 200
   * when the network has the content, `PUT` sends it (the md5 must match).
   */
  upload_ticket: op(z.object({ kind: mediaKind }), z.object({ url: z.string() })),
  // --- files ----------------------------------------------------------------------------
  get_fs_info: op(z.object({ group_id: int }), FileSystemInfo),
  list_files: op(z.object({ group_id: int, folder_id: text }), FileListing),
  get_file_url: op(
    z.object({ group_id: int, file_id: text, busid: optInt }),
    z.object({ url: z.string() }),
  ),
  create_folder: op(z.object({ group_id: int, parent_id: text, name: text }), ok),
  delete_folder: op(z.object({ group_id: int, folder_id: text }), ok),
  delete_file: op(z.object({ group_id: int, file_id: text, busid: optInt }), ok),
  upload_group_file: op(
    z.object({
      group_id: int,
      name: text,
      size: int,
      folder: text,
      sha256: z.string().optional(),
    }),
    z.object({ file_id: z.string() }),
  ),
  upload_private_file: op(z.object({ user_id: int, name: text, size: int }), ok),
  // --- guilds ---------------------------------------------------------------------------
  get_guilds: op(none, z.array(Guild)),
  send_guild_msg: op(
    z.object({ guild_id: text, channel_id: text, elements }),
    z.object({ seq: z.number(), time: z.number() }),
  ),
  get_guild_msg: op(
    z.object({ guild_id: text, channel_id: text, seq: int }),
    z.object({
      guild_id: z.string(),
      channel_id: z.string(),
      seq: z.number(),
      time: z.number(),
      sender_tiny_id: z.string(),
      sender_nickname: z.string(),
      elements: segments,
    }),
  ),
  guild_role: op(
    z.discriminatedUnion('action', [
      z.object({ action: z.literal('create'), ...guildRoleFields, users: z.array(z.string()) }),
      z.object({ action: z.literal('delete'), guild_id: text, role_id: text }),
      z.object({ action: z.literal('update'), role_id: text, ...guildRoleFields }),
      z.object({
        action: z.literal('assign'),
        guild_id: text,
        role_id: text,
        users: z.array(z.string()),
        set: flag,
      }),
    ]),
    z.object({ role_id: z.string() }),
  ),
} satisfies Record<string, OpSpec>;

export type OpName = keyof typeof qqOps;

/** Every op with its arguments (as a caller writes them) and its result. */
export type Ops = {
  [K in OpName]: {
    args: z.input<(typeof qqOps)[K]['args']>;
    /** The arguments as the QQ side reads them (wire.ts rules applied). */
    parsed: z.output<(typeof qqOps)[K]['args']>;
    result: z.output<(typeof qqOps)[K]['result']>;
  };
};
