/**
 * Runs an action request for an account this worker owns — one path for both kinds of
 * account. Requests for accounts it does not own (any more), or with another fencing token than
 * its lease, are refused unexecuted, so the gateway can route them to the new owner: an action
 * is never run by a worker without the lease. The parameters are decoded once; then:
 *
 * - a **native** account (driver kind `native`) runs the action's handler over the QQ-side port
 *   (`ctx.qq`, the driver);
 * - a **proxied** account (an upstream OneBot implementation) forwards it upstream
 *   (upstream/forward.ts: smoothing, renames, media made content, cqfleet's own fallbacks), but
 *   for the actions cqfleet answers itself (`get_status`).
 */
import { type ActionName, isActionName, type MessageFormat, OneBotError } from '@cqfleet/onebot';
import type { ActionRequest } from '@cqfleet/proto';
import { formatOf, handlerFor, type MessageLookup, Refused } from '@cqfleet/rpc';
import type { MediaClient } from '@cqfleet/media-client';
import type { AccountRuntime } from '../account.js';
import type { ProxiedDriver } from '../driver/index.js';
import type { LeaseManager } from '../ownership/lease-manager.js';
import { ANSWERED_LOCALLY, forwardToUpstream } from '../upstream/forward.js';
import {
  INLINE_BYTES_PER_ACCOUNT,
  INLINE_BYTES_PER_WORKER,
  InlineBytes,
} from '../upstream/inline-bytes.js';
import type { ActionContext, SessionHandlers, SessionOptions } from './context.js';

/** How long an action waits for an account that is logging in (just taken over). */
const LOGIN_WAIT_MS = 3_000;

/** Answered while the account is offline too: it is how a client learns that it is. */
const ANSWERS_OFFLINE: ReadonlySet<string> = new Set(['get_status']);

/** One action to run, decoded once from the request. */
export interface Call {
  /** The wire name: a table action, or (for a proxied account) an upstream's own. */
  action: string;
  params: unknown;
  format: MessageFormat;
}

export function decodeCall(req: ActionRequest): Call {
  return {
    action: req.action,
    params:
      req.paramsJson.length > 0
        ? (JSON.parse(Buffer.from(req.paramsJson).toString('utf8')) as unknown)
        : {},
    format: formatOf(req),
  };
}

type Services = Omit<ActionContext, 'account' | 'qq' | 'format' | 'signal'>;

export function createExecutor(
  leases: Pick<LeaseManager, 'holds'>,
  accounts: ReadonlyMap<number, AccountRuntime>,
  handlers: SessionHandlers,
  services: { history: MessageLookup; media: MediaClient; options: SessionOptions },
): (req: ActionRequest, signal: AbortSignal) => Promise<unknown> {
  // Media content made for upstream actions, bounded per account and for the worker.
  const inlineBytes = new InlineBytes(
    Math.max(INLINE_BYTES_PER_ACCOUNT, services.options.upstreamMaxInlineBytes * 2),
    INLINE_BYTES_PER_WORKER,
  );
  const contextFor = (call: Call, account: AccountRuntime, signal: AbortSignal): ActionContext => ({
    account,
    qq: account.qq,
    format: call.format,
    signal,
    ...services,
  });

  /** The action's own handler, run over the account's QQ-side port. */
  const runHandler = async (
    call: Call,
    account: AccountRuntime,
    signal: AbortSignal,
  ): Promise<unknown> => {
    const name = tableName(call.action);
    const handler = handlerFor<ActionContext>(handlers, name);
    if (!ANSWERS_OFFLINE.has(name) && !(await account.onlineWithin(LOGIN_WAIT_MS)))
      throw new OneBotError('ACCOUNT_OFFLINE');
    const ctx = contextFor(call, account, signal);
    return account.runAction(() => handler(call.params, ctx));
  };

  const runProxied = async (
    call: Call,
    account: AccountRuntime,
    driver: ProxiedDriver,
    signal: AbortSignal,
  ): Promise<unknown> => {
    if (ANSWERED_LOCALLY.has(call.action)) return runHandler(call, account, signal);
    if (!(await account.onlineWithin(LOGIN_WAIT_MS))) throw new OneBotError('ACCOUNT_OFFLINE');
    const ctx = contextFor(call, account, signal);
    const local = () =>
      handlerFor<ActionContext>(handlers, tableName(call.action))(call.params, ctx);
    return account.runAction(() =>
      forwardToUpstream(call, account, driver, {
        format: call.format,
        local,
        history: services.history,
        inline: inlineOptions(services),
        inlineBytes,
        signal,
      }),
    );
  };

  return async (req, signal) => {
    const account = accounts.get(req.selfId);
    if (!account || !leases.holds(req.selfId, req.fence))
      throw new Refused(new OneBotError('OWNERSHIP_MOVED', `本节点不持有账号 ${req.selfId}`));
    // Counted from here until the work ends (SESSION_MAX_IN_FLIGHT_PER_ACCOUNT); past the
    // bound, RATE_LIMIT_QUEUE_FULL now.
    const end = account.admit('action');
    try {
      // A record change replacing the driver: the call goes to the new one.
      await account.settled(LOGIN_WAIT_MS);
      const call = decodeCall(req);
      const driver = account.driver;
      return await (driver.kind === 'proxied'
        ? runProxied(call, account, driver, signal)
        : runHandler(call, account, signal));
    } finally {
      end();
    }
  };
}

function tableName(action: string): ActionName {
  if (!isActionName(action)) throw new OneBotError('API_NOT_FOUND');
  return action;
}

function inlineOptions(services: Services) {
  return {
    media: services.media,
    timeoutMs: services.options.mediaTimeoutMs,
    ignoreInvalidCqcode: services.options.ignoreInvalidCqcode,
    maxBytes: services.options.upstreamMaxInlineBytes,
  };
}
