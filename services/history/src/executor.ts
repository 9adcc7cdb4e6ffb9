/** Runs an action request with history's handlers (owner `history` in the action table). */
import type { ActionRequest } from '@cqfleet/proto';
import { decodeRequest, handlerFor } from '@cqfleet/rpc';
import type { HistoryContext, HistoryHandlers } from './handlers/index.js';

export function createExecutor(
  handlers: HistoryHandlers,
): (req: ActionRequest, signal?: AbortSignal) => Promise<unknown> {
  return async (req, signal) => {
    const { name, params, format } = decodeRequest(req);
    return handlerFor<HistoryContext>(handlers, name)(params, {
      selfId: req.selfId,
      format,
      signal,
    });
  };
}
