/**
 * The differences between OneBot implementations that a client of cqfleet must not see
 * (reference onebot11-and-peers.md §1.7, §2.2): an upstream's answer becomes go-cqhttp's.
 * An upstream's reply is outside input like any frame (frames.ts): everything here is total,
 * nothing it sends can throw anything but the OneBotError it is turned into.
 *
 * Outcome: a reply succeeds only when neither `status` nor `retcode` says it failed and at
 * least one says it succeeded (`smoothReply`).
 *
 * Failures: NapCat and LLOneBot answer over WebSocket with 1200 (handler failed), 1400 (bad
 * parameters), 1404 (unknown action), 1403 (bad token); over HTTP with 200 / 400 / 404;
 * onebots with -1. go-cqhttp uses retcode 100 with an UPPER_SNAKE `msg` for nearly
 * everything and 404 `API_NOT_FOUND` for unknown actions, and clients read `msg` and
 * `wording`; NapCat sends `message` and `wording`.
 *
 * Data: the actions whose result has a fixed shape that clients and cqfleet build on (message
 * ids, the login, the lists) are held to it (REPLY_SHAPES): a reply that does not fit is
 * `API_ERROR`, never passed on. Fields an upstream adds (NapCat has several) are kept; ids an
 * upstream sends as decimal strings become numbers, as go-cqhttp sends them.
 * `get_forward_msg` is `{messages: [{sender, time, content}]}` in go-cqhttp, NapCat and
 * LLOneBot, but the spec's `{message: [node segments]}` in Lagrange; either becomes the first.
 */
import { OneBotError } from '@cqfleet/onebot';
import { z } from 'zod';
import { clipText, idOf, isObject, upstreamId, upstreamText } from './values.js';

/** A reply frame of the upstream, as far as cqfleet reads it. */
export interface UpstreamReply {
  status?: unknown;
  retcode?: unknown;
  data?: unknown;
  msg?: unknown;
  message?: unknown;
  wording?: unknown;
  echo?: unknown;
}

/** go-cqhttp's error tags: UPPER_SNAKE, and none is longer than 64 characters. */
const UPPER_SNAKE = /^[A-Z][A-Z0-9_]{0,63}$/;

/**
 * The most of an upstream's failure wording a client is given: 3,000 bytes of UTF-8, a thousand
 * Chinese characters. go-cqhttp's and NapCat's are a sentence; an upstream answering megabytes
 * of it made every failure that large. Cut by clipText, never inside a character.
 */
export const MAX_WORDING_BYTES = 3_000;

const text = (v: unknown): string | undefined =>
  typeof v === 'string' && v.length > 0 ? v : undefined;

/** go-cqhttp's message ids are int32 (clients store them as such). */
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const messageId = upstreamId.refine(n => n >= INT32_MIN && n <= INT32_MAX, 'not an int32');

const sent = z.looseObject({ message_id: messageId });

/**
 * Longest forward resid taken from an upstream. QQ's resids are a few dozen characters of
 * base64; a client keeps the id and hands it back (get_forward_msg, a forward segment), so an
 * upstream's megabyte "id" is no id.
 */
export const MAX_RESID_CHARS = 256;

/**
 * `send_forward_msg`'s answer. go-cqhttp, LLOneBot and NapCat send the forward and answer
 * `{message_id, forward_id}` (NapCat adds `res_id`); Lagrange.OneBot only uploads it and answers
 * the resid itself as `data`, a plain string, which is passed on as it came: the forward was
 * uploaded, and refusing the answer would tell the client it was not.
 */
const forwardSent = z.union([sent, z.string().min(1).max(MAX_RESID_CHARS)]);
const anyObject = z.looseObject({});
const list = z.array(anyObject);

/**
 * What cqfleet holds an upstream's result to, by action: the fields clients (and cqfleet's
 * login check, onebot-driver.ts) use without looking — a send's message id, which clients keep
 * as an int32 and hand back to reply, recall and get_msg; the account's number; the lists they
 * iterate, and the ids they key them by. The other fields differ between implementations
 * (NapCat's and Lagrange's members carry other fields than go-cqhttp's), so holding them to
 * go-cqhttp's whole shape would refuse real upstreams' answers: they pass as they come, as do
 * actions not named here (an upstream's own extensions). `get_guild_member_list` is a page (an
 * object), not a list.
 */
const REPLY_SHAPES: Readonly<Record<string, z.ZodType>> = {
  send_msg: sent,
  send_group_msg: sent,
  send_private_msg: sent,
  send_forward_msg: forwardSent,
  send_group_forward_msg: sent,
  send_private_forward_msg: sent,
  // The nickname as parseLoginInfo reads it (frames.ts): null or a number is '', never a
  // refusal, which at login would keep the account offline.
  get_login_info: z.looseObject({ user_id: upstreamId, nickname: upstreamText }),
  get_friend_list: z.array(z.looseObject({ user_id: upstreamId })),
  get_unidirectional_friend_list: z.array(z.looseObject({ user_id: upstreamId })),
  get_group_list: z.array(z.looseObject({ group_id: upstreamId })),
  get_group_member_list: z.array(
    z.looseObject({ user_id: upstreamId, group_id: upstreamId.optional() }),
  ),
  get_group_shut_list: list,
  get_essence_msg_list: list,
  get_guild_list: list,
  get_guild_channel_list: list,
};

/** What one field of a reply says of the call; undefined when the field is absent. */
type Outcome = 'ok' | 'failed' | undefined;

function statusSays(status: unknown): Outcome {
  if (status === undefined || status === null) return undefined;
  return status === 'ok' || status === 'async' ? 'ok' : 'failed';
}

/** The reply's retcode: a number, NaN when it is there but none, undefined when absent. */
function retcodeOf(retcode: unknown): number | undefined {
  if (retcode === undefined || retcode === null) return undefined;
  return idOf(retcode) ?? NaN;
}

/**
 * The reply's data, or the OneBotError a go-cqhttp client expects for it.
 *
 * Which wins when `status` and `retcode` disagree (`failed` with 0, `ok` with 1404): the
 * failure. An upstream that says in either field that the call failed has not shown that it
 * did what was asked, and its data then is whatever its error path left there; answering ok
 * would hand the client a message id of a message never sent, where a failure costs at most a
 * retry. 0 (done) and 1 (go-cqhttp's `async`, accepted) are the successful retcodes; a reply
 * that says neither is no answer either.
 */
export function smoothReply(action: string, reply: UpstreamReply): unknown {
  const retcode = retcodeOf(reply.retcode);
  const byStatus = statusSays(reply.status);
  const byRetcode: Outcome =
    retcode === undefined ? undefined : retcode === 0 || retcode === 1 ? 'ok' : 'failed';
  const ok = byStatus !== 'failed' && byRetcode !== 'failed' && (byStatus ?? byRetcode) === 'ok';
  if (!ok) throw smoothFailure(retcode ?? NaN, reply);
  return checked(action, smoothData(action, reply.data ?? null));
}

function smoothFailure(retcode: number, reply: UpstreamReply): OneBotError {
  const wording = clipText(
    text(reply.wording) ?? text(reply.message) ?? text(reply.msg) ?? '上游实现调用失败',
    MAX_WORDING_BYTES,
  );
  const named = text(reply.msg);
  if (retcode === 404 || retcode === 1404)
    return OneBotError.fromFailure(404, 'API_NOT_FOUND', wording);
  if (retcode === 400 || retcode === 1400)
    return OneBotError.fromFailure(100, 'INVALID_PARAMS', wording);
  if (retcode === 401 || retcode === 403 || retcode === 1401 || retcode === 1403)
    return OneBotError.fromFailure(100, 'UPSTREAM_REFUSED', wording);
  // go-cqhttp's own failures (and another cqfleet's) already have their shape: kept as they are.
  if (named && UPPER_SNAKE.test(named) && retcode > 0 && retcode < 1000)
    return OneBotError.fromFailure(retcode, named, wording);
  return OneBotError.fromFailure(100, 'API_ERROR', wording);
}

/** `data` held to the action's shape (REPLY_SHAPES), or API_ERROR naming what does not fit. */
function checked(action: string, data: unknown): unknown {
  const shape = REPLY_SHAPES[action];
  if (!shape) return data;
  const parsed = shape.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'data';
  return fail(`上游实现对 ${action} 的应答格式错误 (${where}: ${issue?.message ?? 'invalid'})`);
}

const fail = (wording: string): never => {
  throw new OneBotError('API_ERROR', wording);
};

/** A go-cqhttp forward node, as `get_forward_msg` answers them. */
export interface UpstreamForwardNode {
  sender: { user_id: number; nickname: string };
  time: number;
  group_id?: number;
  content: unknown;
}

function smoothData(action: string, data: unknown): unknown {
  if (action === 'get_forward_msg' && isObject(data)) {
    if (!Array.isArray(data.messages) && Array.isArray(data.message))
      return { messages: specNodes(data.message) };
  }
  return data;
}

/**
 * Lagrange's node segments as go-cqhttp's nodes. One that is not a node segment, or whose
 * sender is not an id, is dropped rather than failing the whole forward: a node the upstream
 * could not render (it sends `null` for some) says nothing about the others.
 */
function specNodes(segments: unknown[]): UpstreamForwardNode[] {
  const out: UpstreamForwardNode[] = [];
  for (const node of segments) {
    if (!isObject(node) || !isObject(node.data)) continue;
    const node_ = forwardNode({
      user_id: node.data.user_id ?? node.data.uin,
      nickname: node.data.nickname ?? node.data.name,
      time: node.data.time,
      content: node.data.content,
    });
    if (node_) out.push(node_);
  }
  return out;
}

/**
 * A forward node from its parts as an upstream sent them, or undefined when they are not a
 * node's: a sender id that is present but not an id. Absent ids and times are 0, a nickname
 * that is neither a string nor a number is empty, a `group_id` that is not an id is left out, content that is
 * not a message is empty. Never throws.
 */
export function forwardNode(parts: {
  user_id: unknown;
  nickname: unknown;
  time: unknown;
  group_id?: unknown;
  content: unknown;
}): UpstreamForwardNode | undefined {
  const userId = parts.user_id === undefined || parts.user_id === null ? 0 : idOf(parts.user_id);
  if (userId === undefined) return undefined;
  const time = idOf(parts.time);
  const groupId = idOf(parts.group_id);
  const content = parts.content;
  return {
    sender: { user_id: userId, nickname: nicknameOf(parts.nickname) },
    time: time !== undefined && time >= 0 ? time : 0,
    ...(groupId !== undefined ? { group_id: groupId } : {}),
    content: typeof content === 'string' || Array.isArray(content) ? content : [],
  };
}

const nicknameOf = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : '';
