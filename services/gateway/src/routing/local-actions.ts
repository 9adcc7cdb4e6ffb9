/** Actions the gateway answers itself (owner `gateway` in the action table). */
import { fail, type Handlers, type MessageFormat, supportedActions } from '@cqfleet/onebot';
import type { Logger } from '@cqfleet/runtime';
import type { FilterRegistry } from '../events/filter-registry.js';
import type { LongPoll } from '../events/long-poll.js';
import { type ActionCaller, handleQuickOperation } from './quick-operation.js';

export interface GatewayServices {
  filters: FilterRegistry;
  /** Present when long polling is enabled (`GATEWAY_LONG_POLLING`). */
  longPoll?: LongPoll;
  log: Logger;
}

export interface GatewayContext extends GatewayServices {
  selfId: number;
  format: MessageFormat;
  caller: ActionCaller;
}

export const gatewayHandlers: Partial<Handlers<'gateway', GatewayContext>> = {
  get_supported_actions: async () => supportedActions(),
  can_send_image: async () => ({ yes: true }),
  can_send_record: async () => ({ yes: true }),
  /** Re-reads the filter file named exactly `file`; always ok, as go-cqhttp (errors are logged). */
  reload_event_filter: async (p, ctx) => {
    await ctx.filters.load(p.file);
    return null;
  },
  '.handle_quick_operation': async (p, ctx) => {
    await handleQuickOperation(
      ctx.caller,
      { selfId: ctx.selfId, format: ctx.format },
      p.context,
      p.operation,
      ctx.log,
    );
    return null;
  },
  /** Long polling; an unknown action where it is not enabled, as go-cqhttp. */
  get_updates: async (p, ctx) =>
    ctx.longPoll ? ctx.longPoll.take(ctx.selfId, p.limit, p.timeout) : fail('API_NOT_FOUND'),
};
