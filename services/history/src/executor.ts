/**
 * Runs an action request with history's handlers (owner `history` in the action table), at
 * most `maxPerAccount` of one account at once on this replica. History is shared by every
 * tenant, and its work per call can be large (a 200-message page decoded, a forward of 1,000
 * nodes expanded, QQ-side reads); the gateway bounds an account's calls per replica and
 * connection, which adds up to tens of thousands here. Past the bound a call is answered
 * RATE_LIMIT_QUEUE_FULL at once (the gateway's answer to its own per-account bound), counted
 * from its arrival until its handler has ended — after the caller's TIMEOUT too.
 */
import { OneBotError } from '@cqfleet/onebot';
import type { ActionRequest } from '@cqfleet/proto';
import { decodeRequest, handlerFor } from '@cqfleet/rpc';
import { counter } from '@cqfleet/runtime';
import type { HistoryContext, HistoryHandlers } from './handlers/index.js';

const refused = counter(
  'cqfleet_history_calls_refused_total',
  'Action calls refused at once because their account had HISTORY_MAX_IN_FLIGHT_PER_ACCOUNT running',
);

export function createExecutor(
  handlers: HistoryHandlers,
  maxPerAccount = 32,
): (req: ActionRequest, signal?: AbortSignal) => Promise<unknown> {
  const running = new Map<number, number>();
  return async (req, signal) => {
    const mine = running.get(req.selfId) ?? 0;
    if (mine >= maxPerAccount) {
      refused.inc();
      throw new OneBotError(
        'RATE_LIMIT_QUEUE_FULL',
        `账号 ${req.selfId} 在历史服务上未完成的调用已达上限 (${maxPerAccount}), 请稍后再试`,
      );
    }
    running.set(req.selfId, mine + 1);
    try {
      const { name, params, format } = decodeRequest(req);
      return await handlerFor<HistoryContext>(handlers, name)(params, {
        selfId: req.selfId,
        format,
        signal,
      });
    } finally {
      const left = (running.get(req.selfId) ?? 1) - 1;
      if (left > 0) running.set(req.selfId, left);
      else running.delete(req.selfId);
    }
  };
}
