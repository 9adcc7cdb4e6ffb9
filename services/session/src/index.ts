/**
 * @cqfleet/session — session workers, embeddable in tests.
 *
 * ```ts
 * const worker = await startWorker(loadConfig(process.env), log);
 * ```
 */
export type { Config } from './config.js';
export { loadConfig } from './config.js';
export { sessionHandlers } from './handlers/index.js';
export type { RunningWorker } from './worker.js';
export { startWorker } from './worker.js';
