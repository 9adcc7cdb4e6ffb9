/**
 * Runs an action request for an account this worker owns. Requests for accounts it does not
 * own (any more), or with another fencing token than its lease, are refused unexecuted, so the
 * gateway can route them to the new owner: an action is never run by a worker without the lease.
 * An account behind an upstream OneBot implementation has its actions forwarded there
 * (upstream/forward.ts).
 */
import { OneBotError } from '@cqfleet/onebot';
import type { ActionRequest } from '@cqfleet/proto';
import { decodeRequest, formatOf, handlerFor, Refused } from '@cqfleet/rpc';
import type { AccountRuntime } from '../account.js';
import type { MediaClient } from '@cqfleet/media-client';
import type { MessageLookup } from '@cqfleet/rpc';
import type { LeaseManager } from '../ownership/lease-manager.js';
import type { ActionContext, SessionHandlers, SessionOptions } from './context.js';
import { ANSWERED_LOCALLY, forwardToUpstream } from '../upstream/forward.js';

/** How long an action waits for an account that is logging in (just taken over). */
const LOGIN_WAIT_MS = 3_000;

/** Answered while the account is offline too: it is how a client learns that it is. */
const ANSWERS_OFFLINE: ReadonlySet<string> = new Set(['get_status']);

export function createExecutor(
  leases: Pick<LeaseManager, 'holds'>,
  accounts: ReadonlyMap<number, AccountRuntime>,
  handlers: SessionHandlers,
  services: { history: MessageLookup; media: MediaClient; options: SessionOptions },
): (req: ActionRequest) => Promise<unknown> {
  return async req => {
    const account = accounts.get(req.selfId);
    if (!account || !leases.holds(req.selfId, req.fence))
      throw new Refused(new OneBotError('OWNERSHIP_MOVED', `本节点不持有账号 ${req.selfId}`));
    // A record change replacing the driver: the call goes to the new one.
    await account.settled(LOGIN_WAIT_MS);
    const upstream = account.driver.upstream;
    if (upstream && !ANSWERED_LOCALLY.has(req.action)) {
      if (!(await account.onlineWithin(LOGIN_WAIT_MS))) throw new OneBotError('ACCOUNT_OFFLINE');
      const format = formatOf(req);
      const local = () => {
        const { name, params } = decodeRequest(req);
        return handlerFor<ActionContext>(handlers, name)(params, { account, format, ...services });
      };
      const inline = {
        media: services.media,
        timeoutMs: services.options.mediaTimeoutMs,
        ignoreInvalidCqcode: services.options.ignoreInvalidCqcode,
        maxBytes: services.options.upstreamMaxInlineBytes,
      };
      return account.track(() =>
        forwardToUpstream(req, account, upstream, {
          format,
          local,
          history: services.history,
          inline,
        }),
      );
    }
    const { name, params, format } = decodeRequest(req);
    const handler = handlerFor<ActionContext>(handlers, name);
    if (!ANSWERS_OFFLINE.has(name) && !(await account.onlineWithin(LOGIN_WAIT_MS)))
      throw new OneBotError('ACCOUNT_OFFLINE');
    return account.track(() => handler(params, { account, format, ...services }));
  };
}
