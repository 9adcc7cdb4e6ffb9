/**
 * Runs an action request with history's handlers (owner `history` in the action table), at
 * most `AccountCalls.max` calls of one account at once on this replica (the session's
 * look-ups count too). History is shared by every
 * tenant, and its work per call can be large (a 200-message page decoded, a forward of 1,000
 * nodes expanded, QQ-side reads); the gateway bounds an account's calls per replica and
 * connection, which adds up to tens of thousands here. Past the bound a call is answered
 * RATE_LIMIT_QUEUE_FULL at once (the gateway's answer to its own per-account bound), counted
 * from its arrival until its handler has ended — after the caller's TIMEOUT too.
 */
import { OneBotError } from '@cqfleet/onebot';
import type { ActionRequest } from '@cqfleet/proto';
import { decodeRequest, handlerFor } from '@cqfleet/rpc';
import { counter, Slots } from '@cqfleet/runtime';
import type { HistoryContext, HistoryHandlers } from './handlers/index.js';

const refused = counter(
  'cqfleet_history_calls_refused_total',
  'Calls (actions, look-ups) refused at once because their account had HISTORY_MAX_IN_FLIGHT_PER_ACCOUNT running',
);

/**
 * Calls of each account running on this replica, at most `max` of one: actions and the
 * session's look-ups (HistoryService.getMessage) alike.
 */
export class AccountCalls {
  private readonly slots: Slots;

  constructor(readonly max = 32) {
    this.slots = new Slots(max);
  }

  /** Counts a call of `selfId` until the returned function is called; throws past the bound. */
  enter(selfId: number): () => void {
    const leave = this.slots.enter(selfId);
    if (leave) return leave;
    refused.inc();
    throw new OneBotError(
      'RATE_LIMIT_QUEUE_FULL',
      `账号 ${selfId} 在历史服务上未完成的调用已达上限 (${this.max}), 请稍后再试`,
    );
  }
}

export function createExecutor(
  handlers: HistoryHandlers,
  calls = new AccountCalls(),
): (req: ActionRequest, signal?: AbortSignal) => Promise<unknown> {
  return async (req, signal) => {
    const leave = calls.enter(req.selfId);
    try {
      const { name, params, format } = decodeRequest(req);
      return await handlerFor<HistoryContext>(handlers, name)(params, {
        selfId: req.selfId,
        format,
        signal,
      });
    } finally {
      leave();
    }
  };
}
