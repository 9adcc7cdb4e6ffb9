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
 * The ops, their arguments and results, and the events are the QQ side's contract, defined
 * once as zod schemas in `@cqfleet/qq-side`; this module adds the frames that carry them.
 */
import type { OpName, Ops, QQEvent, SentMessage } from '@cqfleet/qq-side';

export type { OpName, Ops, SentMessage };

export type Chat = { group_id: number } | { user_id: number };

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
  event: QQEvent;
}

export interface KickedPush {
  push: 'kicked';
  reason: string;
}

export type Push = EventPush | KickedPush;

export type ServerFrame = ReplyFrame | Push;

/** A failure reported by the simulator; `code` is a OneBot error tag or a protocol code. */
export { QQSideError as SimError } from '@cqfleet/qq-side';
