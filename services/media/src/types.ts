/**
 * Types the media code shares, kept below every module that uses them: the job context and the
 * download limits and progress. (A module that needs only a type from another still imports
 * it, and lint forbids import cycles, type-only ones included.)
 */
import type { PayloadStore } from '@cqfleet/media-client';
import type { AddressGuard } from './address-guard.js';
import type { OcrData } from './ocr.js';

export interface DownloadLimits {
  cacheDir: string;
  /** Largest download (declared or counted). */
  maxBytes: number;
  /** A connection that receives nothing for this long fails. */
  idleTimeoutMs: number;
  /** Longest a whole download may take, every connection and redirect included. */
  deadlineMs: number;
  maxRedirects: number;
}

export interface DownloadProgress {
  received: number;
  /** Unknown when the server does not say. */
  total?: number;
}

export interface MediaContext {
  selfId: number;
  guard: AddressGuard;
  limits: DownloadLimits;
  /** Directories `file://` media may be read from (the cache is always one). */
  roots: string[];
  /** Largest video for sending. */
  videoMaxBytes: number;
  /** ffmpeg executable for voice conversion. */
  ffmpeg: string;
  /** Chinese data OCR reads with (MEDIA_OCR_DATA). @default 'full' */
  ocrData?: OcrData;
  /** Reports a long job's progress (BullMQ job progress and the log). */
  progress?: (p: DownloadProgress) => void;
  /** Bytes producers stored beside their jobs (`payload`); absent, such jobs fail. */
  payloads?: PayloadStore;
}
