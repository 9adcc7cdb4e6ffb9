/**
 * @cqfleet/media — media workers, embeddable in tests.
 *
 * ```ts
 * const media = await startMedia(loadConfig(process.env), log);
 * ```
 */
export { AddressGuard, ForbiddenAddressError } from './address-guard.js';
export type { Config } from './config.js';
export { loadConfig } from './config.js';
export type { DownloadOptions } from './download.js';
export { downloadFile, downloadTo } from './download.js';
export { cachePath, headersDigest, parseHeaders, receivedPath } from './cache-key.js';
export type { RefusalReason } from './refusals.js';
export type { MediaHandlers } from './handlers/index.js';
export { mediaHandlers } from './handlers/index.js';
export { runMediaJob } from './jobs.js';
export type { RunningMedia } from './service.js';
export { startMedia } from './service.js';
export { CacheJanitor, type CacheLimits, sweepCache, type SweepResult, touch } from './cache.js';
export { type OcrData, recognize, stopOcr } from './ocr.js';
export type { DownloadLimits, DownloadProgress, MediaContext } from './types.js';
