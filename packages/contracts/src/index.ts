/**
 * @cqfleet/contracts — names and records shared by cqfleet services outside gRPC.
 *
 * ```ts
 * const ns = new Namespace('cqfleet');
 * ns.eventSubject(10001, 'message');   // 'cqfleet.events.10001.message'
 * ns.leaseKey(10001);                  // 'cqfleet:lease:10001'
 * ```
 */
export type { ParsedEvents, PublishedEvent } from './bus.js';
export {
  batchableEventId,
  driverEventId,
  EVENT_FENCE_HEADER,
  EVENT_ID_HEADER,
  EVENT_ID_SEPARATOR,
  isUpstreamEventId,
  parsedEvents,
  publishedEvents,
  sentEventId,
  upstreamEventId,
} from './bus.js';
export {
  AccountEndpoints,
  AccountSelector,
  EndpointSettings,
  endpointId,
  expandUrl,
  HttpPostEndpoint,
  MAX_ACCOUNT_ENDPOINTS,
  MAX_ACTION_NAME_LENGTH,
  MAX_ENDPOINT_ACTIONS,
  MAX_ENDPOINT_INTERVAL_MS,
  MAX_ENDPOINT_TIMEOUT_MS,
  RateLimit,
  ReverseWsEndpoint,
  selects,
} from './endpoints.js';
export {
  ACCOUNT_STATUS_EVERY_MS,
  ACCOUNT_STATUS_STALE_MS,
  AccountState,
  AccountStatus,
  FleetAccount,
  FleetMember,
  FleetSnapshot,
  HISTORY_SIZE_EVERY_MS,
  HistorySize,
} from './console.js';
export type { MediaJobData, MediaJobResult } from './media.js';
export type { FilterReload } from './namespace.js';
export { DEFAULT_NAMESPACE, Namespace } from './namespace.js';
export type { Lease, OwnershipChange } from './registry.js';
export {
  AccountRecord,
  driverOptionsProblem,
  formatLease,
  parseLease,
  UPSTREAM_MAX_TIMEOUT_MS,
  UpstreamOptions,
  WorkerRecord,
} from './registry.js';
export type { RelayHello, RelayKind } from './upstream-relay.js';
export { RELAY_PART_HEADER, RELAY_PATH } from './upstream-relay.js';
export type { ForwardNodeRecord, QQReadName, QQReads } from './qq-reads.js';
