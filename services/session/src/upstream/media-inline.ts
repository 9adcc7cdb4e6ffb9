/**
 * What cqfleet hands an upstream implementation (ARCHITECTURE "Trust model"): a file or URL in
 * a client's parameters is opened by cqfleet itself — a local path only under the media
 * workers' file roots (the media cache is one, so a `download_file` result can be sent), a URL
 * only through their address guard, both held to the seed's limits (`media.prepare`) — and the
 * upstream gets the content, as `base64://`. It is never asked to open a path or URL: it would
 * do so on its own host, outside every confinement, and cqfleet's own paths mean nothing there.
 *
 * Left as they are: `base64://` (content already), and names an upstream gave (received files,
 * its own ids). Resolved: the media segments of a message (image, record, video and its cover,
 * cardimage, file), in forward nodes too, and the file parameters of PARAM_SOURCES. A source
 * that cannot be read makes its segment invalid (sent as its literal CQ code, or dropped with
 * SESSION_IGNORE_INVALID_CQCODE, as for every account) and fails a file parameter; media over a
 * limit fails the action, as it does for a native account.
 */
import type { MediaClient } from '@cqfleet/media-client';
import { OneBotError, type Segment, stringifySegment, text, toSegments } from '@cqfleet/onebot';
import { isUnreadable } from '../segments/media.js';
import type { InlineBytes } from './inline-bytes.js';

type Kind = 'image' | 'video' | 'record' | 'cover' | 'file';

/** Message parameters, by action. */
const MESSAGES: Readonly<Record<string, 'message' | 'messages'>> = {
  send_msg: 'message',
  send_group_msg: 'message',
  send_private_msg: 'message',
  send_guild_channel_msg: 'message',
  send_forward_msg: 'messages',
  send_group_forward_msg: 'messages',
  send_private_forward_msg: 'messages',
};

/** File parameters, by action: the field and what it holds. */
const PARAM_SOURCES: Readonly<Record<string, ReadonlyArray<readonly [string, Kind]>>> = {
  set_group_portrait: [['file', 'image']],
  set_qq_avatar: [['file', 'image']],
  upload_image: [['file', 'image']],
  _send_group_notice: [['image', 'image']],
  upload_group_file: [['file', 'file']],
  upload_private_file: [['file', 'file']],
  ocr_image: [['image', 'image']],
  '.ocr_image': [['image', 'image']],
};

/** Media fields of segments. */
const SEGMENT_SOURCES: Readonly<Record<string, ReadonlyArray<readonly [string, Kind]>>> = {
  image: [['file', 'image']],
  cardimage: [['file', 'image']],
  record: [['file', 'record']],
  video: [
    ['file', 'video'],
    ['cover', 'cover'],
  ],
  file: [['file', 'file']],
};

/** Forward nodes inside forward nodes, at most this deep. */
const MAX_DEPTH = 8;

export interface InlineContext {
  media: MediaClient;
  uin: number;
  timeoutMs: number;
  ignoreInvalidCqcode: boolean;
  /** Most bytes handed to the upstream in one action (its frame must stay under its cap). */
  maxBytes: number;
  /**
   * The action's deadline (`ActionContext.signal`): once it fires, waiting for a media slot or
   * job stops and the content already made is let go (the action fails with its reason).
   */
  signal?: AbortSignal;
  /**
   * The worker's bound on content held at once (inline-bytes.ts), and what this action took of
   * it, which the caller gives back once the upstream has been asked.
   */
  held?: { bytes: InlineBytes; taken: number };
}

/** True for a source cqfleet must open itself: a URL or a local path. */
export function opensSomething(source: string): boolean {
  return (
    /^(https?|file):\/\//i.test(source) || source.startsWith('/') || /^[a-z]:[\\/]/i.test(source)
  );
}

/** `params` with every source of an upstream action resolved to its content. */
export async function inlineMedia(
  action: string,
  params: unknown,
  ctx: InlineContext,
): Promise<unknown> {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return params;
  const p = { ...(params as Record<string, unknown>) };
  const budget = { left: ctx.maxBytes };
  for (const [field, kind] of PARAM_SOURCES[action] ?? [])
    if (typeof p[field] === 'string' && opensSomething(p[field]))
      p[field] = await content(kind, p[field], ctx, budget);
  const message = MESSAGES[action];
  if (message === 'message' && p.message !== undefined && !(p.auto_escape === true))
    p.message = await segments(toSegments(p.message as never), ctx, budget, 0);
  if (message === 'messages' && Array.isArray(p.messages))
    p.messages = await nodes(p.messages, ctx, budget, 0);
  return p;
}

async function content(
  kind: Kind,
  source: string,
  ctx: InlineContext,
  budget: { left: number },
): Promise<string> {
  ctx.signal?.throwIfAborted();
  const { bytes } = await ctx.media.inline(
    kind,
    source,
    { maxBytes: Math.max(1, budget.left) },
    ctx.timeoutMs,
    ctx.uin,
    ctx.signal,
  );
  budget.left -= bytes.length;
  if (budget.left < 0)
    throw new OneBotError('MEDIA_TOO_LARGE', `一次调用的媒体总大小不能超过 ${ctx.maxBytes} 字节`);
  const encoded = bytes.toString('base64');
  if (ctx.held) {
    if (!ctx.held.bytes.take(ctx.uin, encoded.length))
      throw new OneBotError(
        'RATE_LIMIT_QUEUE_FULL',
        `账号 ${ctx.uin} 同时发送中的媒体过多, 请稍后再试`,
      );
    ctx.held.taken += encoded.length;
  }
  return `base64://${encoded}`;
}

async function segments(
  list: Segment[],
  ctx: InlineContext,
  budget: { left: number },
  depth: number,
): Promise<Segment[]> {
  const out: Segment[] = [];
  for (const seg of list) {
    if (seg.type === 'node') {
      out.push(await node(seg, ctx, budget, depth));
      continue;
    }
    const fields = (SEGMENT_SOURCES[seg.type] ?? []).filter(([f]) => {
      const v = seg.data[f];
      return typeof v === 'string' && opensSomething(v);
    });
    if (fields.length === 0) {
      out.push(seg);
      continue;
    }
    const data = { ...seg.data };
    try {
      for (const [f, kind] of fields) data[f] = await content(kind, data[f]!, ctx, budget);
      // The upstream has the content; a URL beside it would have it fetch again.
      if (seg.type === 'image' && data.url !== undefined && opensSomething(data.url))
        delete data.url;
      out.push({ type: seg.type, data });
    } catch (err) {
      if (!isUnreadable(err)) throw err;
      if (!ctx.ignoreInvalidCqcode) out.push(text(stringifySegment(seg)));
    }
  }
  return out;
}

/** A forward node: its content resolved (a node naming a stored message is left as it is). */
async function node(
  seg: Segment | Record<string, unknown>,
  ctx: InlineContext,
  budget: { left: number },
  depth: number,
): Promise<Segment> {
  const data = ((seg as { data?: unknown }).data ?? {}) as Record<string, unknown>;
  if (data.content === undefined || depth >= MAX_DEPTH) return seg as Segment;
  const content =
    Array.isArray(data.content) && data.content.some(isNodeLike)
      ? await nodes(data.content, ctx, budget, depth + 1)
      : await segments(toSegments(data.content as never), ctx, budget, depth + 1);
  return { type: 'node', data: { ...data, content } as never };
}

async function nodes(
  list: unknown[],
  ctx: InlineContext,
  budget: { left: number },
  depth: number,
): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const n of list) out.push(isNodeLike(n) ? await node(n, ctx, budget, depth) : n);
  return out;
}

function isNodeLike(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'node';
}
