/**
 * @cqfleet/gateway — every OneBot transport, embeddable in tests.
 *
 * ```ts
 * const gw = await startGateway(loadConfig(process.env), log);
 * // HTTP API on gw.httpPort, forward WebSocket on gw.wsPort
 * ```
 */
export type { Config } from './config.js';
export { loadConfig } from './config.js';
export type { RunningGateway } from './gateway.js';
export { startGateway } from './gateway.js';
export { FULL_GRANT, TokenTable, tokenFrom } from './auth/tokens.js';
export { RecentIds } from './events/event-hub.js';
export { gatewayHandlers } from './handlers/index.js';
export { roleOf } from './transports/ws-server.js';
