/**
 * @cqfleet/rpc — actions over gRPC between cqfleet services.
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
