/** What the gateway's own handlers receive besides their parameters. */
import type { MessageFormat } from '@cqfleet/onebot';
import type { Logger } from '@cqfleet/runtime';
import type { Grant } from '../auth/tokens.js';
import type { FilterRegistry } from '../events/filter-registry.js';
import type { LongPoll } from '../events/long-poll.js';
import type { ActionCaller } from '../routing/quick-operation.js';

export interface GatewayServices {
  filters: FilterRegistry;
  /** Tells the other gateway replicas to reload a filter too (filter-sync.ts). */
  filterSync?: { announce(file: string): void };
  /** Present when long polling is enabled (`GATEWAY_LONG_POLLING`). */
  longPoll?: LongPoll;
  log: Logger;
}

export interface GatewayContext extends GatewayServices {
  selfId: number;
  format: MessageFormat;
  /** The caller's token; absent for the gateway's own calls. */
  grant?: Grant;
  /** Aborts when the caller is gone (router.ts `CallOptions.signal`). */
  signal?: AbortSignal;
  caller: ActionCaller;
}
