/**
 * Actions for an account behind an upstream OneBot implementation. Everything is forwarded as
 * the client sent it (after the gateway's checks), including actions cqfleet's table does not
 * know — an upstream's own extensions work through cqfleet — except what cqfleet answers
 * better itself:
 *
 * - `get_status`: cqfleet's view of the connection (online, counters) — the upstream cannot
 *   answer while it is unreachable, and that is when the answer matters;
 * - history's QQ-side reads, mapped onto the upstream's actions (reads.ts).
 *
 * get_msg, the message histories, get_forward_msg, images, OCR, word slices and downloads never
 * come here: the gateway sends them to cqfleet's history and media services for every account.
 */
import { qqReadOf } from '@cqfleet/contracts';
import type { ActionRequest } from '@cqfleet/proto';
import type { AccountRuntime } from '../account.js';
import type { OneBotUpstream } from '../driver/driver.js';
import { upstreamReads } from './reads.js';

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

/** Runs `req` on the upstream (the caller checked the lease and that the account is online). */
export async function forwardToUpstream(
  req: ActionRequest,
  account: AccountRuntime,
  upstream: OneBotUpstream,
): Promise<unknown> {
  const params: unknown =
    req.paramsJson.length > 0 ? JSON.parse(Buffer.from(req.paramsJson).toString('utf8')) : {};
  const read = qqReadOf(req.action);
  if (read) return upstreamReads[read](params as never, upstream, account.uin);
  const data = await upstream.action(req.action, params);
  if (SENDS.has(req.action)) account.stats.messageSent++;
  return data;
}
