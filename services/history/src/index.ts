/**
 * @cqfleet/history — the history service, embeddable in tests. The store itself is
 * `@cqfleet/history-store`.
 *
 * ```ts
 * const history = await startHistory(loadConfig(process.env), log);
 * ```
 */
export type { HistoryContext, HistoryHandlers } from './handlers/index.js';
export { historyHandlers } from './handlers/index.js';
export type { Config } from './config.js';
export { loadConfig } from './config.js';
export { expandForward, type ForwardNodeView, MAX_LEVELS, MAX_NODES } from './forward-view.js';
export { QQBacked } from './qq-backed.js';
export type { QQSideLink } from './qq-side.js';
export type { RunningHistory } from './service.js';
export { startHistory } from './service.js';
export { SizeReporter } from './size-report.js';
