/**
 * @cqfleet/rpc — calls between cqfleet services over gRPC: actions (gateway → owner), history's
 * reads of the QQ side (history → session), the session's look-ups in history, and who owns an
 * account (lease → worker → address).
 *
 * ```ts
 * // owner side
 * const server = await startGrpcServer('127.0.0.1:0', [actionsService(async req => handle(req), log)]);
 * // caller side
 * const reply = await new ActionChannels(log).get('127.0.0.1:7001').call({ selfId, action, paramsJson, ... }, 5000);
 * ```
 */
export type { CallRequest } from './client.js';
export { ActionChannel, ActionChannels, ChannelError } from './client.js';
export type { DecodedRequest } from './dispatch.js';
export { decodeRequest, formatOf, handlerFor } from './dispatch.js';
export type { ActionsServiceOptions, Execute } from './server.js';
export { actionsService, Refused, runAction } from './server.js';
export type { MessageLookup } from './history-client.js';
export { historyLookup } from './history-client.js';
export type { Owner } from './owners.js';
export { ownerOf } from './owners.js';
export type { ServeRead } from './qq-side.js';
export { MAX_QQ_READ_BYTES, QQSideReader, qqSideService } from './qq-side.js';
export {
  fitsMessage,
  fittingFailure,
  MAX_MESSAGE_BYTES,
  ownerDeadlineMs,
  requestTooLarge,
  resultTooLarge,
} from './bounds.js';
export { actionLabel, failureLabel, OTHER_RESULT, retcodeLabel, UNKNOWN_ACTION } from './labels.js';
