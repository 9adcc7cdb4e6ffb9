/**
 * Refusals of hostile or oversized input: each is a documented limit, answered with a OneBot
 * failure of its own tag and counted in `cqfleet_media_refused_total{reason}`.
 *
 * A refusal is thrown where the limit is hit and counted once per job, where the job ends
 * (jobs.ts), so identical callers sharing a transfer count one refusal.
 */
import { type ErrorTag, OneBotError } from '@cqfleet/onebot';
import { counter } from '@cqfleet/runtime';

export type RefusalReason =
  /** The whole download took longer than MEDIA_DOWNLOAD_DEADLINE_MS. */
  | 'download_deadline'
  /** Nothing arrived for MEDIA_IDLE_TIMEOUT_MS. */
  | 'download_idle'
  /** A download over its cap (MEDIA_MAX_BYTES, or the cap of what it is for). */
  | 'download_too_large'
  /** Media over the seed's limit for its kind (images 30 MB, MEDIA_VIDEO_MAX_BYTES). */
  | 'media_too_large'
  /** A job parameter outside what the job accepts (e.g. `out_format`). */
  | 'invalid_params'
  /** Data a producer stored for the job is gone (expired before a worker took the job). */
  | 'payload_missing';

const refused = counter(
  'cqfleet_media_refused_total',
  'Media jobs refused by a limit (deadline, idle, size, parameters), by reason',
  ['reason'],
);

export class Refusal extends OneBotError {
  constructor(
    readonly reason: RefusalReason,
    tag: ErrorTag,
    wording?: string,
  ) {
    super(tag, wording);
  }
}

/** Counts a refusal that ended a job; anything else is left alone. */
export function countRefusal(err: unknown): void {
  if (err instanceof Refusal) refused.inc({ reason: err.reason });
}

/** The seed's limit for images (and video covers): 30 MB. */
export const IMAGE_MAX_BYTES = 30 * 1024 * 1024;
