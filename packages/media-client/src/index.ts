/**
 * @cqfleet/media-client — media jobs on BullMQ, for the gateway (media actions) and session
 * workers (media that needs the QQ side first: get_image, get_record, ocr_image).
 *
 * ```ts
 * const media = new MediaClient(redisUrl, ns, log);
 * await media.ready();
 * const reply = await media.action('download_file', 10001, { url }, 30_000);   // an envelope
 * const file = await media.job('media.fetch', { url, name }, 30_000);          // data, or throws
 * ```
 */
export type { InternalJobs } from './jobs.js';
export { dedupeId, MediaClient } from './media-client.js';
