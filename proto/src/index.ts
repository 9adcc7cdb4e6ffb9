/**
 * @cqfleet/proto — generated gRPC contracts (see cqfleet/v1/*.proto).
 *
 * ```ts
 * import { ActionsClient, ActionsService, MessageFormat } from '@cqfleet/proto';
 * const client = new ActionsClient('127.0.0.1:7001', credentials.createInsecure());
 * const stream = client.call();             // multiplexed ActionRequest / ActionReply stream
 * ```
 */
export {
  ActionReply,
  ActionRequest,
  ActionsClient,
  ActionsService,
  MessageFormat,
} from './gen/cqfleet/v1/actions.js';
export type { ActionsServer } from './gen/cqfleet/v1/actions.js';
export {
  GetMessageReply,
  GetMessageRequest,
  HistoryClient,
  HistoryService,
} from './gen/cqfleet/v1/history.js';
export type { HistoryServer } from './gen/cqfleet/v1/history.js';
export {
  QQRead,
  QQReadReply,
  QQReadRequest,
  QQSideClient,
  QQSideService,
} from './gen/cqfleet/v1/qq_side.js';
export type { QQSideServer } from './gen/cqfleet/v1/qq_side.js';
