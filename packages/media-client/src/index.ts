/**
 * @cqfleet/media-client — media jobs on BullMQ, for the gateway (media actions) and session
 * workers (media that needs the QQ side first: get_image, get_record, ocr_image).
 *
 * ```ts
 * const media = new MediaClient(config.redis, ns, log);
 * await media.ready();
 * const reply = await media.action('download_file', 10001, { url }, 30_000);   // an envelope
 * const file = await media.job('media.fetch', { url, name }, 30_000);          // data, or throws
 * ```
 */
export type { InternalJobs } from './jobs.js';
export type { MediaClientOptions } from './media-client.js';
export { AccountSlots } from './account-slots.js';
export {
  DEFAULT_JOB_LIFETIME_MS,
  DEFAULT_JOBS_PER_ACCOUNT,
  JOB_DATA_MAX_BYTES,
  dedupeId,
  MediaClient,
} from './media-client.js';
export type { Offloaded } from './payloads.js';
export {
  base64Size,
  base64Text,
  DEFAULT_MAX_PAYLOAD_BYTES,
  IMAGE_MAX_BYTES,
  offload,
  PAYLOAD_GRACE_MS,
  PayloadStore,
} from './payloads.js';
