/**
 * The action path: one function every transport calls, so the same request gets the same
 * answer over HTTP, forward WS and reverse WS.
 *
 *   wire name → action table (unknown: 404 API_NOT_FOUND) → params schema (bad: INVALID_PARAMS)
 *   → owner: session worker (gRPC stream), history (gRPC stream; get_msg first from the store
 *     itself, stored-messages.ts), media (BullMQ), or the gateway.
 *
 * A session call is sent with the fencing token the gateway routed by. If the worker refuses
 * it unexecuted (it no longer owns the account), the owner is looked up again and the call is
 * sent again, for up to HANDOVER_WAIT_MS in all; a call that may have run is never sent twice.
 * An account without an owner (being handed over) is waited for within the same time.
 *
 * An owner is given a deadline a margin shorter than the gateway waits (the channel does it,
 * @cqfleet/rpc `ownerDeadlineMs`): a slow action is answered by the owner's TIMEOUT, and only
 * an owner that does not answer at all is SESSION_UNAVAILABLE (and its cached entry dropped).
 */
import {
  type ActionParams,
  type ActionResponse,
  type ResolvedAction,
  asyncAccepted,
  failed,
  failedTag,
  type MessageFormat,
  ok,
  parseParams,
  resolveAction,
  toFailure,
} from '@cqfleet/onebot';
import { type ActionReply, MessageFormat as WireFormat } from '@cqfleet/proto';
import {
  type ActionChannels,
  ChannelError,
  failureLabel,
  handlerFor,
  retcodeLabel,
} from '@cqfleet/rpc';
import { counter, histogram, InFlight, type Logger, secondsSince } from '@cqfleet/runtime';
import type { AccountDirectory } from '../accounts/directory.js';
import { allowsAccount, allowsAction, type Grant, operatorOnly } from '../auth/tokens.js';
import { countRefusal } from '../refusals.js';
import { type GatewayContext, gatewayHandlers, type GatewayServices } from '../handlers/index.js';
import type { MediaClient } from '@cqfleet/media-client';
import { RateLimitQueues } from './rate-limit-queue.js';
import type { StoredMessages } from './stored-messages.js';

const requests = counter(
  'cqfleet_gateway_requests_total',
  'Action requests from clients (every transport), by action (unknown: not in the table), retcode and result (ok, async, or the failure tag); other: a retcode or tag not in the catalogue',
  ['action', 'retcode', 'result'],
);
const requestSeconds = histogram(
  'cqfleet_gateway_request_seconds',
  'Time to answer an action request',
  ['action'],
);

/**
 * How long an action waits for an account being handed over to get its next owner: a
 * rebalance hands an account over in milliseconds, but the old owner may refuse a call before
 * Redis says who the new one is (chaos run: a client saw OWNERSHIP_MOVED during a hand-over).
 */
const HANDOVER_WAIT_MS = 2_000;

export interface CallOptions {
  selfId: number;
  format: MessageFormat;
  /** What the caller's token allows; everything when absent (the gateway's own calls). */
  grant?: Grant;
  /**
   * Aborts when the caller is gone (its HTTP request closed, its WebSocket closed): work that
   * only waits for the caller (a `get_updates` long poll) stops waiting and holds nothing.
   */
  signal?: AbortSignal;
  /**
   * Told of work the answer leaves running: an `_async` call is answered `async` at once while
   * its action still runs. `work` settles (never rejects) when the action is done; a transport
   * counts the call against its in-flight limit until then, so `_async` calls cannot pile up
   * work without bound behind answers already sent.
   */
  background?: (work: Promise<void>) => void;
}

export interface RouterOptions {
  historyAddr: string;
  actionTimeoutMs: number;
  asyncMode: 'background' | 'sync';
  rateLimitIntervalMs: number;
  rateLimitQueue: number;
}

/** What the transports need of the router: one entry point for every request. */
export interface ActionCalls {
  call(wireName: string, rawParams: unknown, opts: CallOptions): Promise<ActionResponse>;
}

export class ActionRouter implements ActionCalls {
  private readonly inFlight = new InFlight();
  private readonly rateLimited: RateLimitQueues;

  constructor(
    private readonly directory: AccountDirectory,
    private readonly channels: ActionChannels,
    private readonly media: MediaClient,
    private readonly options: RouterOptions,
    private readonly services: GatewayServices,
    private readonly stored: StoredMessages,
    private readonly log: Logger,
  ) {
    this.rateLimited = new RateLimitQueues(
      options.rateLimitIntervalMs,
      options.rateLimitQueue,
      log,
    );
  }

  /** Every transport's entry point: the action's answer, counted and timed; never rejects. */
  async call(wireName: string, rawParams: unknown, opts: CallOptions): Promise<ActionResponse> {
    const started = performance.now();
    const resolved = resolveAction(wireName);
    const reply = await this.inFlight.track(() =>
      resolved || !this.directory.isUpstream(opts.selfId)
        ? this.answer(resolved, rawParams, opts)
        : this.toUpstream(wireName, rawParams, opts),
    );
    // Unknown names, and an upstream's own retcodes and tags, are counted together: clients
    // and upstreams choose them, and every label value is a series kept until the process ends.
    const action = resolved?.name ?? 'unknown';
    requests.inc({
      action,
      retcode: retcodeLabel(reply.retcode),
      result: reply.status === 'failed' ? failureLabel(reply.msg) : reply.status,
    });
    requestSeconds.observe({ action }, secondsSince(started));
    return reply;
  }

  private async answer(
    resolved: ResolvedAction | undefined,
    rawParams: unknown,
    opts: CallOptions,
  ): Promise<ActionResponse> {
    if (!resolved) return failedTag('API_NOT_FOUND');
    const refused = forbidden(opts, resolved.name);
    if (refused) return refused;
    let params: unknown;
    try {
      params = parseParams(resolved.name, rawParams);
    } catch (err) {
      return toFailure(err);
    }
    const run = () => this.dispatch(resolved, params, opts);
    if (resolved.mode === 'rate_limited') {
      if (this.rateLimited.push(opts.selfId, run)) return asyncAccepted();
      countRefusal('rate_limit_queue_full');
      return failedTag(
        'RATE_LIMIT_QUEUE_FULL',
        `账号 ${opts.selfId} 的限速队列已满 (${this.options.rateLimitQueue}), 请稍后再试`,
      );
    }
    if (resolved.mode === 'async' && this.options.asyncMode === 'background') {
      // Tracked like an answer (a stopping gateway drains it) and handed to the transport,
      // which counts it in flight until it is done. `work` never rejects.
      const work = this.inFlight.track(run).then(
        r => {
          if (r.status === 'failed')
            this.log.info({ action: resolved.name, msg: r.msg }, 'async action failed');
        },
        (err: unknown) => this.log.error({ err, action: resolved.name }, 'async action threw'),
      );
      if (opts.background) opts.background(work);
      else void work;
      return asyncAccepted();
    }
    return run();
  }

  /**
   * An action cqfleet's table does not know, for an account behind an upstream OneBot
   * implementation: handed to the owning worker as it is, so the upstream's own extensions
   * (NapCat's `set_msg_emoji_like`, …) work through cqfleet. Tokens limited to a list of
   * actions must name it.
   */
  private async toUpstream(
    wireName: string,
    rawParams: unknown,
    opts: CallOptions,
  ): Promise<ActionResponse> {
    const refused = forbidden(opts, wireName);
    if (refused) return refused;
    try {
      return await this.toSession(wireName, rawParams ?? {}, opts);
    } catch (err) {
      return toFailure(err);
    }
  }

  private async dispatch(
    { name, spec }: ResolvedAction,
    params: unknown,
    opts: CallOptions,
  ): Promise<ActionResponse> {
    try {
      switch (spec.owner) {
        case 'gateway': {
          const ctx: GatewayContext = {
            ...this.services,
            selfId: opts.selfId,
            format: opts.format,
            grant: opts.grant,
            signal: opts.signal,
            caller: this,
          };
          return ok(await handlerFor<GatewayContext>(gatewayHandlers, name)(params, ctx));
        }
        case 'media':
          return await this.media.action(name, opts.selfId, params, this.options.actionTimeoutMs);
        case 'history': {
          // get_msg from the store itself when it has the message (stored-messages.ts).
          const found =
            name === 'get_msg'
              ? await this.stored.getMsg(
                  opts.selfId,
                  (params as ActionParams<'get_msg'>).message_id,
                  opts.format,
                )
              : undefined;
          if (found) return ok(found);
          return fromReply(
            await this.channels
              .get(this.options.historyAddr)
              .call(this.request(name, params, opts, 0), this.options.actionTimeoutMs),
          );
        }
        case 'session':
          return await this.toSession(name, params, opts);
      }
    } catch (err) {
      if (err instanceof ChannelError) {
        this.log.warn({ err: err.message, action: name }, 'owner unreachable');
        return failedTag('SERVICE_UNAVAILABLE');
      }
      return toFailure(err);
    }
  }

  private async toSession(
    name: string,
    params: unknown,
    opts: CallOptions,
  ): Promise<ActionResponse> {
    const deadline = Date.now() + HANDOVER_WAIT_MS;
    for (;;) {
      // An account being handed over is ownerless for a moment: wait for its next owner.
      const owner = this.directory.has(opts.selfId)
        ? await this.directory.ownerWithin(opts.selfId, Math.max(0, deadline - Date.now()))
        : undefined;
      if (!owner) return failedTag('SESSION_UNAVAILABLE');
      let reply: ActionReply;
      try {
        reply = await this.channels
          .get(owner.grpc)
          .call(this.request(name, params, opts, owner.fence), this.options.actionTimeoutMs);
      } catch (err) {
        if (!(err instanceof ChannelError)) throw err;
        this.directory.invalidate(opts.selfId, owner);
        // The call may have reached the worker: never send it twice.
        this.log.warn(
          { err: err.message, selfId: opts.selfId, action: name },
          'session worker unreachable',
        );
        return failedTag('SESSION_UNAVAILABLE', `会话节点不可达: ${err.message}`);
      }
      if (reply.executed || reply.retcode === 0) return fromReply(reply);
      // Refused unexecuted: safe to send again, to whoever owns the account next.
      this.directory.invalidate(opts.selfId, owner);
      if (Date.now() >= deadline) return failedTag('OWNERSHIP_MOVED');
      await new Promise(resolve => setTimeout(resolve, 50));
    }
  }

  private request(name: string, params: unknown, opts: CallOptions, fence: number) {
    return {
      selfId: opts.selfId,
      action: name,
      paramsJson: Buffer.from(JSON.stringify(params)),
      messageFormat:
        opts.format === 'array'
          ? WireFormat.MESSAGE_FORMAT_ARRAY
          : WireFormat.MESSAGE_FORMAT_STRING,
      // The channel gives the owner a deadline a margin shorter than this (@cqfleet/rpc
      // ActionChannel.call), so the owner's TIMEOUT answer arrives before the channel gives up.
      deadlineMs: this.options.actionTimeoutMs,
      fence,
    };
  }

  /** Resolves when no action is being answered, or after `ms` (a stopping gateway drains). */
  drain(ms: number): Promise<void> {
    return this.inFlight.idle(ms);
  }

  stop(): void {
    this.rateLimited.stop();
  }
}

/**
 * ACCOUNT_FORBIDDEN when the caller's token may not use this account or this action;
 * OPERATOR_ONLY for the operator's actions called with any other token.
 */
function forbidden(opts: CallOptions, action: string): ActionResponse | undefined {
  if (!opts.grant) return undefined;
  if (!allowsAccount(opts.grant, opts.selfId))
    return failedTag('ACCOUNT_FORBIDDEN', `该令牌无权使用账号 ${opts.selfId}`);
  if (operatorOnly(opts.grant, action)) {
    countRefusal('operator_only');
    return failedTag('OPERATOR_ONLY', `${action} 仅运营者令牌可以调用`);
  }
  if (!allowsAction(opts.grant, action))
    return failedTag('ACCOUNT_FORBIDDEN', `该令牌无权在账号 ${opts.selfId} 上调用 ${action}`);
  return undefined;
}

function fromReply(reply: ActionReply): ActionResponse {
  if (reply.retcode === 0) {
    const text = Buffer.from(reply.dataJson).toString('utf8');
    return ok(text.length > 0 ? (JSON.parse(text) as unknown) : null);
  }
  return failed(reply.retcode, reply.msg, reply.wording);
}
