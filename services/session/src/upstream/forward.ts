/**
 * Actions for an account behind an upstream OneBot implementation. Everything is forwarded as
 * the client sent it (after the gateway's checks), including actions cqfleet's table does not
 * know — an upstream's own extensions work through cqfleet — and messages in the answer are
 * put in the caller's format (result-format.ts). Except:
 *
 * - `get_status`: cqfleet's view of the connection (online, counters) — the upstream cannot
 *   answer while it is unreachable, and that is when the answer matters;
 * - go-cqhttp names an upstream knows by another name (Lagrange's `delete_group_file_folder`,
 *   …): asked again under that name when the upstream does not know the first (renames.ts);
 * - media actions some upstreams lack (Lagrange: get_image, get_record; NapCat's OCR works on
 *   Windows only): asked upstream first, answered by cqfleet's own handler — its media service,
 *   with the URLs the account's events carried — when the upstream fails;
 * - files and URLs in the parameters are opened by cqfleet (confined, guarded) and handed over
 *   as content (media-inline.ts): the upstream is never asked to open a path or URL.
 *
 * What an upstream answers is smoothReply's (smoothing.ts) before it gets here: a failure when
 * its `status` or `retcode` says so, and the results with a fixed shape (sends' message ids,
 * the login, the lists) held to it — a reply that does not fit is API_ERROR, not data.
 *
 * get_msg, the message histories, get_forward_msg, word slices and downloads never come here:
 * the gateway sends them to cqfleet's history and media services for every account.
 */
import { isOneBotError, type MessageFormat } from '@cqfleet/onebot';
import { counter } from '@cqfleet/runtime';
import type { AccountRuntime } from '../account.js';
import type { OneBotUpstream } from '../driver/driver.js';
import type { MessageLookup } from '@cqfleet/rpc';
import type { InlineBytes } from './inline-bytes.js';
import { type InlineContext, inlineMedia } from './media-inline.js';
import { renamed } from './renames.js';
import { inFormat } from './result-format.js';

/** Answered by the worker for upstream accounts too. */
export const ANSWERED_LOCALLY: ReadonlySet<string> = new Set(['get_status']);

const SENDS = new Set([
  'send_msg',
  'send_group_msg',
  'send_private_msg',
  'send_forward_msg',
  'send_group_forward_msg',
  'send_private_forward_msg',
]);

const fallbacks = counter(
  'cqfleet_session_upstream_fallbacks_total',
  'Upstream actions answered another way: by cqfleet itself, or asked again under another name',
  ['kind'],
);

/** Answered by cqfleet when the upstream fails them (see above). */
export const CQFLEET_FALLBACK: ReadonlySet<string> = new Set([
  'get_image',
  'get_record',
  'ocr_image',
  '.ocr_image',
]);

/** Failures that are the connection's, not the upstream's answer: no fallback for those. */
const NOT_AN_ANSWER: ReadonlySet<string> = new Set(['ACCOUNT_OFFLINE', 'TIMEOUT']);

export interface ForwardContext {
  /** The caller's message format, for messages in the answer. */
  format: MessageFormat;
  /** cqfleet's own handler of the action, for CQFLEET_FALLBACK. */
  local: () => Promise<unknown>;
  history: MessageLookup;
  /** How files and URLs in the parameters are made content (media-inline.ts). */
  inline: Omit<InlineContext, 'uin' | 'signal' | 'held'>;
  /** The worker's bound on content held at once (inline-bytes.ts). */
  inlineBytes?: InlineBytes;
  /**
   * The action's deadline: making media content stops when it fires, and the upstream is not
   * asked after it (media-inline.ts; the caller has been answered TIMEOUT).
   */
  signal: AbortSignal;
}

/** Runs `call` on the upstream (the caller checked the lease and that the account is online). */
export async function forwardToUpstream(
  call: { action: string; params: unknown },
  account: AccountRuntime,
  upstream: OneBotUpstream,
  ctx: ForwardContext,
): Promise<unknown> {
  const { action, params } = call;
  const held = ctx.inlineBytes ? { bytes: ctx.inlineBytes, taken: 0 } : undefined;
  let data: unknown;
  try {
    const safe = await inlineMedia(action, params, {
      ...ctx.inline,
      uin: account.uin,
      signal: ctx.signal,
      ...(held ? { held } : {}),
    });
    try {
      data = await ask(action, safe, upstream, {
        uin: account.uin,
        history: ctx.history,
        signal: ctx.signal,
      });
    } finally {
      // The upstream has it (or will not get it): the content is no longer this worker's.
      held?.bytes.give(account.uin, held.taken);
      if (held) held.taken = 0;
    }
  } catch (err) {
    // Content made before a failure (a later source unreadable, the deadline) goes too.
    held?.bytes.give(account.uin, held.taken);
    if (held) held.taken = 0;
    if (!CQFLEET_FALLBACK.has(action) || !isOneBotError(err) || NOT_AN_ANSWER.has(err.msg))
      throw err;
    fallbacks.inc({ kind: 'cqfleet' });
    try {
      return await ctx.local();
    } catch (own) {
      // An upstream without the action has nothing better to say than cqfleet's failure.
      throw err.msg === 'API_NOT_FOUND' ? own : err;
    }
  }
  if (SENDS.has(action)) account.stats.messageSent++;
  return inFormat(data, ctx.format);
}

/** The upstream's answer; asked again in its own form when it does not know the name (renames.ts). */
async function ask(
  action: string,
  params: unknown,
  upstream: OneBotUpstream,
  ctx: { uin: number; history: MessageLookup; signal: AbortSignal },
): Promise<unknown> {
  try {
    ctx.signal.throwIfAborted();
    return await upstream.action(action, params, ctx.signal);
  } catch (err) {
    if (!isOneBotError(err) || err.msg !== 'API_NOT_FOUND') throw err;
    const other = await renamed(action, params, ctx).catch(() => undefined);
    if (!other) throw err;
    fallbacks.inc({ kind: 'renamed' });
    ctx.signal.throwIfAborted();
    return upstream.action(other.action, other.params, ctx.signal);
  }
}
