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
 */
import type { Segment } from '@cqfleet/onebot';

export type Sex = 'male' | 'female' | 'unknown';
export type Role = 'owner' | 'admin' | 'member';

export interface SimUser {
  user_id: number;
  nickname: string;
  sex: Sex;
  age: number;
  level: number;
  sign: string;
  qid: string;
  login_days: number;
  vip_level: string;
}

export interface SimFriend {
  user_id: number;
  nickname: string;
  remark: string;
}

export interface SimGroup {
  group_id: number;
  group_name: string;
  group_memo: string;
  group_create_time: number;
  group_level: number;
  member_count: number;
  max_member_count: number;
}

export interface SimMember {
  group_id: number;
  user_id: number;
  nickname: string;
  card: string;
  sex: Sex;
  age: number;
  area: string;
  join_time: number;
  last_sent_time: number;
  level: string;
  role: Role;
  title: string;
  title_expire_time: number;
  shut_up_timestamp: number;
}

/** Who sent a group message, as the receiving account sees it. */
export interface SimGroupSender {
  user_id: number;
  nickname: string;
  card: string;
  role: Role;
  title: string;
  level: string;
  sex: Sex;
  age: number;
  area: string;
}

export interface SimPrivateSender {
  user_id: number;
  nickname: string;
  sex: Sex;
  age: number;
}

/** Things that happen to an account. Each is delivered once per account, in order. */
export type SimEvent =
  | {
      kind: 'group_message';
      group_id: number;
      seq: number;
      time: number;
      sender: SimGroupSender;
      elements: Segment[];
    }
  | {
      kind: 'private_message';
      seq: number;
      time: number;
      sender: SimPrivateSender;
      target_id: number;
      elements: Segment[];
    };

export type SimEventKind = SimEvent['kind'];

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

export interface SentMessage {
  seq: number;
  time: number;
}

/** Every op with its arguments and result. */
export interface Ops {
  login: {
    args: { uin: number; fence: number; resume_after: number; epoch: string };
    result: { self: SimUser; epoch: string; last_seq: number; protocol: number };
  };
  get_friends: { args: Record<string, never>; result: SimFriend[] };
  get_user: { args: { user_id: number }; result: SimUser };
  get_groups: { args: Record<string, never>; result: SimGroup[] };
  get_group: { args: { group_id: number }; result: SimGroup };
  get_members: { args: { group_id: number }; result: SimMember[] };
  get_member: { args: { group_id: number; user_id: number }; result: SimMember };
  send_group_msg: { args: { group_id: number; elements: Segment[] }; result: SentMessage };
  send_private_msg: { args: { user_id: number; elements: Segment[] }; result: SentMessage };
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
