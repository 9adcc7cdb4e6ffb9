/**
 * The differences between OneBot implementations that a client of cqfleet must not see
 * (reference onebot11-and-peers.md §1.7, §2.2): an upstream's answer becomes go-cqhttp's.
 *
 * Failures: NapCat and LLOneBot answer over WebSocket with 1200 (handler failed), 1400 (bad
 * parameters), 1404 (unknown action), 1403 (bad token); over HTTP with 200 / 400 / 404;
 * onebots with -1. go-cqhttp uses retcode 100 with an UPPER_SNAKE `msg` for nearly
 * everything and 404 `API_NOT_FOUND` for unknown actions, and clients read `msg` and
 * `wording`; NapCat sends `message` and `wording`.
 *
 * Data: `get_forward_msg` is `{messages: [{sender, time, content}]}` in go-cqhttp, NapCat and
 * LLOneBot, but the spec's `{message: [node segments]}` in Lagrange; either becomes the first.
 */
import { OneBotError } from '@cqfleet/onebot';

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

const UPPER_SNAKE = /^[A-Z][A-Z0-9_]*$/;

const text = (v: unknown): string | undefined =>
  typeof v === 'string' && v.length > 0 ? v : undefined;

/** The reply's data, or the OneBotError a go-cqhttp client expects for it. */
export function smoothReply(action: string, reply: UpstreamReply): unknown {
  const retcode = typeof reply.retcode === 'number' ? reply.retcode : Number(reply.retcode);
  if (reply.status === 'ok' || reply.status === 'async' || retcode === 0 || retcode === 1)
    return smoothData(action, reply.data ?? null);
  throw smoothFailure(retcode, reply);
}

function smoothFailure(retcode: number, reply: UpstreamReply): OneBotError {
  const wording =
    text(reply.wording) ?? text(reply.message) ?? text(reply.msg) ?? '上游实现调用失败';
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

interface SpecNode {
  type?: unknown;
  data?: {
    user_id?: unknown;
    uin?: unknown;
    nickname?: unknown;
    name?: unknown;
    content?: unknown;
    time?: unknown;
  };
}

function smoothData(action: string, data: unknown): unknown {
  if (action === 'get_forward_msg' && data && typeof data === 'object') {
    const d = data as { messages?: unknown; message?: unknown };
    if (!Array.isArray(d.messages) && Array.isArray(d.message))
      return { messages: (d.message as SpecNode[]).map(forwardNodeOf) };
  }
  return data;
}

/** A spec `node` segment as a go-cqhttp forward node. */
function forwardNodeOf(node: SpecNode): unknown {
  const d = node.data ?? {};
  return {
    sender: {
      user_id: Number(d.user_id ?? d.uin ?? 0),
      nickname: String(d.nickname ?? d.name ?? ''),
    },
    time: Number(d.time ?? 0),
    content: d.content ?? [],
  };
}
