/**
 * HTTP POST delivery (reference §3.2, ARCHITECTURE "Delivery") of one account's events to one
 * receiver, by the gateway replica holding that delivery's lease:
 *
 * - the body is the event as the endpoint formats it, newline-terminated; `X-Signature:
 *   sha1=<hex HMAC-SHA1(secret, body bytes)>` signs those exact bytes when a secret is set;
 * - `X-Self-ID`, `User-Agent`, and `X-Event-Id` (receivers de-duplicate by it: delivery is at
 *   least once);
 * - a timeout per attempt; transport errors and 5xx are retried with back-off (the event and
 *   those behind it wait) until delivered or older than the replay window. go-cqhttp retries
 *   only transport errors, 3 times, and drops the event then;
 * - a JSON object in the reply is a quick operation on that event, of which only the steps the
 *   endpoint's grant permits run (auth/tokens.ts `outboundGrant`). The reply is read no further
 *   than MAX_REPLY_BYTES (a quick operation is a few hundred bytes; a receiver streaming more
 *   would otherwise fill the gateway's memory within the timeout): a longer one counts as
 *   delivered, without a quick operation;
 * - a redirect is not followed: the receiver's URL is a tenant's, and a receiver answering
 *   `307 Location: http://10.0.0.5/…` would have had the gateway post the signed event from
 *   inside the cluster, to an address the tenant cannot reach, and run what it answered as a
 *   quick operation. A 3xx is a failed attempt (retried like a 5xx) and logged with its status.
 */
import { createHmac } from 'node:crypto';
import type { HttpPostEndpoint } from '@cqfleet/contracts';
import type { MetaEvent } from '@cqfleet/onebot';
import { BodyTooLarge, type Logger, readBounded } from '@cqfleet/runtime';
import type { FeedEvent } from './event-feed.js';
import type { Grant } from '../auth/tokens.js';
import type { Settings } from '../config.js';
import type { FilterRegistry } from '../events/filter-registry.js';
import { eventView } from '../events/view.js';
import { type ActionCaller, handleQuickOperation } from '../routing/quick-operation.js';

export const USER_AGENT = 'CQHttp/4.15.0 cqfleet/0.1.0';

/** The longest reply of a receiver that is read (for its quick operation). */
export const MAX_REPLY_BYTES = 1024 * 1024;

export interface PostResult {
  delivered: boolean;
  status?: number;
  reply?: unknown;
}

export async function postEvent(
  def: HttpPostEndpoint,
  selfId: number,
  body: string,
  eventId: string | undefined,
): Promise<PostResult> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-self-id': String(selfId),
    'user-agent': USER_AGENT,
  };
  if (eventId) headers['x-event-id'] = eventId;
  if (def.secret)
    headers['x-signature'] = 'sha1=' + createHmac('sha1', def.secret).update(body).digest('hex');
  try {
    const res = await fetch(def.url, {
      method: 'POST',
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(def.timeout_ms),
    });
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel();
      return { delivered: false, status: res.status };
    }
    let reply: unknown;
    try {
      const text = (await readBounded(res, MAX_REPLY_BYTES)).toString('utf8');
      reply = text.trim() ? JSON.parse(text) : undefined;
    } catch (err) {
      // Not JSON, or too long: delivered all the same, without a quick operation. A reply cut
      // short by the timeout is a failed attempt, as before.
      if (!(err instanceof SyntaxError || err instanceof BodyTooLarge)) throw err;
      reply = undefined;
    }
    return { delivered: res.status < 500, status: res.status, reply };
  } catch {
    return { delivered: false };
  }
}

export interface HttpPostDeps {
  settings: Settings;
  filters: FilterRegistry;
  caller: ActionCaller;
  /** What the receiver's quick operations may call (auth/tokens.ts `outboundGrant`). */
  grant: Grant;
  log: Logger;
}

export class HttpPostSink {
  constructor(
    private readonly def: HttpPostEndpoint,
    private readonly selfId: number,
    private readonly deps: HttpPostDeps,
  ) {}

  /** The feed's delivery function: true when delivered or deliberately skipped. */
  deliver = async ({ id, event }: FeedEvent): Promise<boolean> => {
    const { settings, filters } = this.deps;
    if (event.post_type === 'message_sent' && !settings.reportSelfMessage) return true;
    const view = eventView(event, settings.messageFormat);
    if (!filters.passes(settings.filter, view)) return true;
    const result = await postEvent(this.def, this.selfId, JSON.stringify(view) + '\n', id);
    if (!result.delivered) {
      this.deps.log.warn(
        { url: this.def.url, status: result.status, selfId: this.selfId },
        'HTTP POST failed; will retry',
      );
      return false;
    }
    if (typeof result.reply === 'object' && result.reply !== null && !Array.isArray(result.reply))
      await handleQuickOperation(
        this.deps.caller,
        { selfId: this.selfId, format: settings.messageFormat },
        this.deps.grant,
        view,
        result.reply,
        this.deps.log,
      );
    return true;
  };

  /** Heartbeats go to HTTP POST too (go-cqhttp), once, without retries. */
  heartbeat = (beat: MetaEvent): void => {
    if (!this.deps.filters.passes(this.deps.settings.filter, beat)) return;
    void postEvent(this.def, this.selfId, JSON.stringify(beat) + '\n', undefined);
  };
}
