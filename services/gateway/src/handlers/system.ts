/** The gateway's actions of the table's `system` domain (owner `gateway`). */
import { fail, type Handlers, OneBotError, supportedActions } from '@cqfleet/onebot';
import { allowsAction } from '../auth/tokens.js';
import { planQuickOperation, runQuickOperation } from '../routing/quick-operation.js';
import type { GatewayContext } from './context.js';

export const systemHandlers = {
  get_supported_actions: async () => supportedActions(),
  can_send_image: async () => ({ yes: true }),
  can_send_record: async () => ({ yes: true }),
  /**
   * Re-reads a configured filter file on every replica (the router lets only the operator
   * here). A file that is missing or does not parse keeps the filter that works and is still
   * ok, as in go-cqhttp; a file that is not a configured filter, lies outside the filter
   * directory, is not a regular file or is over the size cap is refused (filter-registry.ts).
   */
  reload_event_filter: async (p, ctx) => {
    await ctx.filters.reload(p.file);
    ctx.filterSync?.announce(p.file);
    return null;
  },
  /**
   * Every part must be an action the caller's token may call (as a direct call would be
   * checked); otherwise nothing runs and the answer is ACCOUNT_FORBIDDEN.
   */
  '.handle_quick_operation': async (p, ctx) => {
    const steps = planQuickOperation(p.context, p.operation);
    const { grant } = ctx;
    const refused = grant && steps.find(s => !s.permits.some(a => allowsAction(grant, a)));
    if (refused)
      throw new OneBotError(
        'ACCOUNT_FORBIDDEN',
        `该令牌无权在账号 ${ctx.selfId} 上调用 ${refused.action} (快速操作的一部分)`,
      );
    await runQuickOperation(ctx.caller, { selfId: ctx.selfId, format: ctx.format }, steps, ctx.log);
    return null;
  },
  /**
   * Long polling; an unknown action where it is not enabled, as go-cqhttp. A poll whose client
   * goes away stops waiting and takes no event (long-poll.ts).
   */
  get_updates: async (p, ctx) =>
    ctx.longPoll
      ? ctx.longPoll.take(ctx.selfId, p.limit, p.timeout, ctx.signal)
      : fail('API_NOT_FOUND'),
} satisfies Partial<Handlers<'gateway', GatewayContext>>;
