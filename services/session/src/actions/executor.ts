/**
 * Runs an action request for an account this worker owns. Requests for accounts it does not
 * own (any more), or with another fencing token than its lease, are refused unexecuted, so the
 * gateway can route them to the new owner: an action is never run by a worker without the lease.
 */
import { type ActionName, isActionName, type MessageFormat, OneBotError } from '@cqfleet/onebot';
import { type ActionRequest, MessageFormat as WireFormat } from '@cqfleet/proto';
import { Refused } from '@cqfleet/rpc';
import type { AccountRuntime } from '../account.js';
import type { LeaseManager } from '../ownership/lease-manager.js';
import type { ActionContext, SessionHandlers } from './context.js';

type AnyHandler = (params: unknown, ctx: ActionContext) => Promise<unknown>;

export function createExecutor(
  leases: Pick<LeaseManager, 'holds'>,
  accounts: ReadonlyMap<number, AccountRuntime>,
  handlers: SessionHandlers,
): (req: ActionRequest) => Promise<unknown> {
  return async req => {
    const account = accounts.get(req.selfId);
    if (!account || !leases.holds(req.selfId, req.fence))
      throw new Refused(new OneBotError('OWNERSHIP_MOVED', `本节点不持有账号 ${req.selfId}`));
    if (!isActionName(req.action)) throw new OneBotError('API_NOT_FOUND');
    const handler = handlers[req.action as ActionName & keyof SessionHandlers] as
      AnyHandler | undefined;
    if (!handler) throw new OneBotError('API_NOT_IMPLEMENTED');
    if (!account.online) throw new OneBotError('ACCOUNT_OFFLINE');
    const format: MessageFormat =
      req.messageFormat === WireFormat.MESSAGE_FORMAT_ARRAY ? 'array' : 'string';
    const params: unknown =
      req.paramsJson.length > 0 ? JSON.parse(Buffer.from(req.paramsJson).toString('utf8')) : {};
    return handler(params, { account, format });
  };
}
