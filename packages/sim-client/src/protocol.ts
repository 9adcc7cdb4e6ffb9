/**
 * The simulator's driver protocol: how an account's connection talks to the simulated QQ
 * network. One WebSocket per account at `ws://<sim>/driver`, JSON text frames.
 *
 * Client → simulator: `{ "id": 1, "op": "send_group_msg", "args": { ... } }`
 * Simulator → client: `{ "id": 1, "ok": true, "result": ... }`
 *                     `{ "id": 1, "ok": false, "error": { "code": "GROUP_NOT_FOUND", "message": "..." } }`
 *                     `{ "push": "event", "seq": 17, "event": { "kind": "group_message", ... } }`
 *                     `{ "push": "kicked", "reason": "..." }` (then the socket closes)
 *
 * The first op must be `login`. Every account has an event log with a sequence number per
 * event; `login.resume_after` replays what the client has not seen yet (the simulator keeps
 * the last 10,000 events of each account), which makes a takeover by another worker lossless.
 * `epoch` changes whenever the simulator restarts, and seqs restart with it.
 *
 * Fencing: `login.fence` must be at least the highest fence seen for the account. A higher
 * fence kicks the current connection (as a new QQ login kicks the old device); a lower one is
 * refused with `FENCED`.
 *
 * Error codes are cqfleet's OneBot error tags (GROUP_NOT_FOUND, NOT_MANAGEABLE, …) plus
 * `FENCED`, `NOT_LOGGED_IN`, `BAD_REQUEST`, `ACCOUNT_NOT_FOUND`.
 *
 * Data shapes follow what QQ provides, which is also what go-cqhttp reports, so drivers for
 * other upstreams can map onto them.
 */
import type { Segment } from '@cqfleet/onebot';
import type { SimEvent } from './events.js';
import type {
  SimDevice,
  SimEssence,
  SimFileListing,
  SimFileSystemInfo,
  SimForwardNode,
  SimForwardNodeInput,
  SimFriend,
  SimGroup,
  SimGroupHistoryMessage,
  SimGroupSystemMessages,
  SimGuild,
  SimHonorInfo,
  SimMember,
  SimNotice,
  SimRecentContact,
  SimStoredMessage,
  SimUnidirectionalFriend,
  SimUser,
  SimVipInfo,
} from './models.js';

export interface SentMessage {
  seq: number;
  time: number;
  /** The elements as receivers see them (media named, services turned into cards). */
  elements: Segment[];
}

export type Chat = { group_id: number } | { user_id: number };

type Nothing = Record<string, never>;
type Ok = null;

/** Every op with its arguments and result. */
export interface Ops {
  login: {
    args: { uin: number; fence: number; resume_after: number; epoch: string };
    result: { self: SimUser; epoch: string; last_seq: number; protocol: number };
  };
  // --- people ---------------------------------------------------------------------------
  get_friends: { args: Nothing; result: SimFriend[] };
  get_unidirectional_friends: { args: Nothing; result: SimUnidirectionalFriend[] };
  delete_friend: { args: { user_id: number }; result: Ok };
  delete_unidirectional_friend: { args: { user_id: number }; result: Ok };
  get_user: { args: { user_id: number }; result: SimUser };
  get_vip_info: { args: { user_id: number }; result: SimVipInfo };
  send_like: { args: { user_id: number; times: number }; result: Ok };
  poke: { args: { user_id: number; group_id?: number }; result: Ok };
  set_profile: {
    args: {
      nickname?: string;
      company?: string;
      email?: string;
      college?: string;
      personal_note?: string;
    };
    result: Ok;
  };
  handle_friend_request: { args: { flag: string; approve: boolean; remark: string }; result: Ok };
  get_online_clients: { args: Nothing; result: SimDevice[] };
  get_model_show: {
    args: { model: string };
    result: Array<{ model_show: string; need_pay: boolean }>;
  };
  set_model_show: { args: { model: string; model_show: string }; result: Ok };
  get_cookies: { args: { domain: string }; result: { cookies: string; csrf_token: number } };
  check_url: { args: { url: string }; result: { level: number } };
  get_custom_faces: { args: { count: number }; result: string[] };
  // --- groups ---------------------------------------------------------------------------
  get_groups: { args: Nothing; result: SimGroup[] };
  get_group: { args: { group_id: number }; result: SimGroup };
  get_members: { args: { group_id: number }; result: SimMember[] };
  get_member: { args: { group_id: number; user_id: number }; result: SimMember };
  kick: { args: { group_id: number; user_id: number; reject_add_request: boolean }; result: Ok };
  ban: { args: { group_id: number; user_id: number; duration: number }; result: Ok };
  ban_anonymous: { args: { group_id: number; flag: string; duration: number }; result: Ok };
  whole_ban: { args: { group_id: number; enable: boolean }; result: Ok };
  set_admin: { args: { group_id: number; user_id: number; enable: boolean }; result: Ok };
  set_anonymous: { args: { group_id: number; enable: boolean }; result: Ok };
  set_card: { args: { group_id: number; user_id: number; card: string }; result: Ok };
  set_group_name: { args: { group_id: number; name: string }; result: Ok };
  leave_group: { args: { group_id: number; dismiss: boolean }; result: Ok };
  set_title: { args: { group_id: number; user_id: number; title: string }; result: Ok };
  set_portrait: { args: { group_id: number; image: string }; result: Ok };
  sign_in: { args: { group_id: number }; result: Ok };
  get_at_all_remain: {
    args: { group_id: number };
    result: {
      can_at_all: boolean;
      remain_at_all_count_for_group: number;
      remain_at_all_count_for_uin: number;
    };
  };
  get_honors: { args: { group_id: number }; result: SimHonorInfo };
  get_shut_list: { args: { group_id: number }; result: SimMember[] };
  send_notice: {
    args: { group_id: number; content: string; image?: string; width?: number; height?: number };
    result: { notice_id: string };
  };
  get_notices: { args: { group_id: number }; result: SimNotice[] };
  delete_notice: { args: { group_id: number; notice_id: string }; result: Ok };
  get_system_messages: { args: Nothing; result: SimGroupSystemMessages };
  handle_group_request: { args: { flag: string; approve: boolean; reason: string }; result: Ok };
  // --- messages -------------------------------------------------------------------------
  send_group_msg: { args: { group_id: number; elements: Segment[] }; result: SentMessage };
  /** `group_id` makes it a temporary session started from that group. */
  send_private_msg: {
    args: { user_id: number; elements: Segment[]; group_id?: number };
    result: SentMessage;
  };
  send_forward: {
    args: Chat & { nodes: SimForwardNodeInput[] };
    result: SentMessage & { resid: string };
  };
  get_forward: { args: { resid: string }; result: SimForwardNode[] };
  get_message: { args: Chat & { seq: number; sender_id?: number }; result: SimStoredMessage };
  /** Of the `count` seqs ending at `seq` (latest when 0), the messages that still exist. */
  get_group_messages: {
    args: { group_id: number; seq: number; count: number };
    result: SimGroupHistoryMessage[];
  };
  recall: { args: Chat & { seq: number; sender_id: number }; result: Ok };
  set_essence: { args: { group_id: number; seq: number; enable: boolean }; result: Ok };
  get_essence_list: { args: { group_id: number }; result: SimEssence[] };
  react: { args: { group_id: number; seq: number; emoji_id: string; set: boolean }; result: Ok };
  mark_read: { args: Partial<Chat> & { seq?: number }; result: Ok };
  get_recent_contacts: { args: { count: number }; result: SimRecentContact[] };
  /** Where a received media name (`<md5>.image`, `.amr`, `.video`) can be fetched. */
  get_media: {
    args: { kind: 'image' | 'record' | 'video'; name: string };
    result: { url: string; size: number; filename: string };
  };
  /**
   * Where media for sending is uploaded (QQ's "highway"): `HEAD <url>/<md5>.<ext>` answers 200
   * when the network has the content, `PUT` sends it (the md5 must match).
   */
  upload_ticket: { args: { kind: 'image' | 'record' | 'video' }; result: { url: string } };
  // --- files ----------------------------------------------------------------------------
  get_fs_info: { args: { group_id: number }; result: SimFileSystemInfo };
  list_files: { args: { group_id: number; folder_id: string }; result: SimFileListing };
  get_file_url: {
    args: { group_id: number; file_id: string; busid: number };
    result: { url: string };
  };
  create_folder: { args: { group_id: number; parent_id: string; name: string }; result: Ok };
  delete_folder: { args: { group_id: number; folder_id: string }; result: Ok };
  delete_file: { args: { group_id: number; file_id: string; busid: number }; result: Ok };
  upload_group_file: {
    args: { group_id: number; name: string; size: number; folder: string; sha256?: string };
    result: { file_id: string };
  };
  upload_private_file: { args: { user_id: number; name: string; size: number }; result: Ok };
  // --- guilds ---------------------------------------------------------------------------
  get_guilds: { args: Nothing; result: SimGuild[] };
  send_guild_msg: {
    args: { guild_id: string; channel_id: string; elements: Segment[] };
    result: { seq: number; time: number };
  };
  get_guild_msg: {
    args: { guild_id: string; channel_id: string; seq: number };
    result: {
      guild_id: string;
      channel_id: string;
      seq: number;
      time: number;
      sender_tiny_id: string;
      sender_nickname: string;
      elements: Segment[];
    };
  };
  guild_role: {
    args:
      | {
          action: 'create';
          guild_id: string;
          name: string;
          color: number;
          independent: boolean;
          users: string[];
        }
      | { action: 'delete'; guild_id: string; role_id: string }
      | {
          action: 'update';
          guild_id: string;
          role_id: string;
          name: string;
          color: number;
          independent: boolean;
        }
      | { action: 'assign'; guild_id: string; role_id: string; users: string[]; set: boolean };
    result: { role_id: string };
  };
}

export type OpName = keyof Ops;

export interface RequestFrame<K extends OpName = OpName> {
  id: number;
  op: K;
  args: Ops[K]['args'];
}

export type ReplyFrame =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { code: string; message: string } };

export interface EventPush {
  push: 'event';
  seq: number;
  event: SimEvent;
}

export interface KickedPush {
  push: 'kicked';
  reason: string;
}

export type Push = EventPush | KickedPush;

export type ServerFrame = ReplyFrame | Push;

/** A failure reported by the simulator; `code` is a OneBot error tag or a protocol code. */
export class SimError extends Error {
  override readonly name = 'SimError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
