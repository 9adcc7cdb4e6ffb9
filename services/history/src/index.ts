/**
 * @cqfleet/history — the message store, embeddable in tests.
 *
 * ```ts
 * const history = await startHistory(loadConfig(process.env), log);
 * ```
 */
export type { HistoryContext, HistoryHandlers } from './handlers/index.js';
export { getMsgShape, historyHandlers } from './handlers/index.js';
export type { Config } from './config.js';
export { loadConfig } from './config.js';
export type { RunningHistory } from './service.js';
export { startHistory } from './service.js';
export type { StoredMessage } from './store.js';
export { decodeMessage, encodeMessage } from './codec.js';
export type { StoreOptions } from './store.js';
export { BUCKET, HISTORY_PAGE, MessageStore } from './store.js';
export { SizeReporter } from './size-report.js';
