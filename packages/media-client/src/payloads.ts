/**
 * Bytes a producer hands to a media job travel beside the job, not in it.
 *
 * A `base64://` image in a message would otherwise sit in the BullMQ job's data — in Redis for
 * as long as the job is kept, with every other tenant's — and be parsed again by every
 * process that reads the job. Instead the media client decodes it, checks its size from the
 * base64 length before decoding (the seed's 30 MB for images, `maxPayloadBytes` for the rest),
 * stores the bytes under `<ns>:media:payload:<job id>` with a TTL a little longer than the
 * caller waits, and the job names that id (`payload`). The worker reads the bytes and deletes
 * the key once the job is done; the TTL removes what a vanished caller or worker left.
 */
import type { Namespace } from '@cqfleet/contracts';
import { OneBotError } from '@cqfleet/onebot';
import { counter, type Redis } from '@cqfleet/runtime';

/** The seed's limit for images (and video covers), which OCR applies too: 30 MB. */
export const IMAGE_MAX_BYTES = 30 * 1024 * 1024;
/** Largest payload stored for any job. @default 100 MiB (MEDIA_VIDEO_MAX_BYTES's default) */
export const DEFAULT_MAX_PAYLOAD_BYTES = 100 * 1024 * 1024;
/** How much longer than its caller waits a payload is kept. */
export const PAYLOAD_GRACE_MS = 60_000;

const refused = counter(
  'cqfleet_media_refused_total',
  'Media jobs refused by a limit (deadline, idle, size, parameters), by reason',
  ['reason'],
);

/** The Redis side of payloads, for producers (MediaClient) and the media workers. */
export class PayloadStore {
  constructor(
    private readonly redis: Redis,
    private readonly ns: Namespace,
  ) {}

  key(id: string): string {
    return this.ns.key('media', 'payload', id);
  }

  async put(id: string, bytes: Buffer, ttlMs: number): Promise<void> {
    await this.redis.set(this.key(id), bytes, 'PX', Math.max(1, Math.ceil(ttlMs)));
  }

  /** The stored size, 0 when the payload is gone (never stored, expired or taken). */
  size(id: string): Promise<number> {
    return this.redis.strlen(this.key(id));
  }

  get(id: string): Promise<Buffer | null> {
    return this.redis.getBuffer(this.key(id));
  }

  async delete(id: string): Promise<void> {
    await this.redis.del(this.key(id));
  }
}

/** Decoded size of base64 text (no whitespace), known before decoding. */
export function base64Size(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return Math.floor((text.length * 3) / 4) - padding;
}

/** Base64 text without whitespace, or a LOAD_FILE_ERROR when it is not base64. */
export function base64Text(raw: string): string {
  const text = raw.replace(/\s+/g, '');
  if (!text || !/^[A-Za-z0-9+/]+={0,2}$/.test(text))
    throw new OneBotError('LOAD_FILE_ERROR', 'base64 数据无效');
  return text;
}

function tooLarge(what: string, cap: number): OneBotError {
  refused.inc({ reason: 'payload_too_large' });
  return new OneBotError('MEDIA_TOO_LARGE', `${what}大小不能超过 ${cap} 字节`);
}

/** A job's parameters with its inline bytes taken out, and those bytes. */
export interface Offloaded {
  params: unknown;
  bytes?: Buffer;
}

/**
 * Takes the inline data out of a job's parameters: `media.prepare`'s `base64://` file and
 * `media.ocr`'s `base64`. The parameters then carry `payload: id` instead (and `file`
 * becomes the bare `base64://`). Other jobs are returned as they are.
 */
export function offload(
  name: string,
  params: unknown,
  id: string,
  maxPayloadBytes: number,
): Offloaded {
  if (typeof params !== 'object' || params === null) return { params };
  const p = params as Record<string, unknown>;
  if (name === 'media.prepare' && typeof p.file === 'string' && p.file.startsWith('base64://')) {
    const image = p.kind === 'image' || p.kind === 'cover';
    const cap = image ? IMAGE_MAX_BYTES : maxPayloadBytes;
    const text = base64Text(p.file.slice(9));
    if (base64Size(text) > cap) throw tooLarge(image ? '图片' : '媒体', cap);
    return {
      params: { ...p, file: 'base64://', payload: id },
      bytes: Buffer.from(text, 'base64'),
    };
  }
  if (name === 'media.ocr' && typeof p.base64 === 'string') {
    const text = base64Text(p.base64);
    if (base64Size(text) > IMAGE_MAX_BYTES) throw tooLarge('图片', IMAGE_MAX_BYTES);
    const rest: Record<string, unknown> = { ...p, payload: id };
    delete rest.base64;
    return { params: rest, bytes: Buffer.from(text, 'base64') };
  }
  return { params };
}
