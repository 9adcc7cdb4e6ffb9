/**
 * The media an upstream named in the account's events: the `file` of each image, record and
 * video segment, with the `url` it came with. They are what the session's `get_media` operation
 * answers for an upstream account, so cqfleet's media service can fetch, convert and read those
 * files itself where the upstream cannot (Lagrange has no `get_image` / `get_record`; NapCat's
 * OCR works on Windows only).
 *
 * Kept in Redis (`Namespace.upstreamMediaKey`) for a day — QQ's download URLs expire anyway —
 * so the worker that takes the account over knows them too. What one event may write is bounded
 * (an upstream's frame may be 64 MiB of segments): at most MAX_NOTES_PER_EVENT notes, a name
 * longer than MAX_NAME_BYTES keyed by its digest (and kept cut to that length), a URL longer
 * than MAX_URL_BYTES not noted. The driver notes only events the account took.
 *
 * A name here is the upstream's word, checked against nothing: it is only a key of this
 * account's notes. Media fetched by it is kept under a name of the account and the URL, never
 * under this name (the media service's cache-key.ts), so an upstream that names an image after
 * another account's cache entry (`<md5(url)>.cache`) with a URL of its own replaces nothing.
 */
import { createHash } from 'node:crypto';
import type { Namespace } from '@cqfleet/contracts';
import { fail, MESSAGE_LIMITS, type OneBotEvent } from '@cqfleet/onebot';
import type { Logger, Redis } from '@cqfleet/runtime';
import { clipText } from './frames.js';

type MediaKind = 'image' | 'record' | 'video';
const KINDS: ReadonlySet<string> = new Set<MediaKind>(['image', 'record', 'video']);
const TTL_S = 24 * 60 * 60;

/**
 * Notes one event writes at most: as many media as cqfleet lets one message hold (twice QQ's
 * 50 images), so nothing real is dropped while one frame cannot write millions of keys.
 */
export const MAX_NOTES_PER_EVENT = MESSAGE_LIMITS.media.max;
/** Longest name used in a key as it is: QQ's names are `<md5>.image` or a GUID, well under. */
export const MAX_NAME_BYTES = 256;
/** Longest URL noted: QQ's download URLs (with their rkey) are under 1 KiB. */
export const MAX_URL_BYTES = 4096;

export interface MediaInfo {
  url: string;
  size: number;
  filename: string;
}

interface SegmentLike {
  type?: unknown;
  data?: { file?: unknown; url?: unknown; file_size?: unknown; size?: unknown };
}

export class UpstreamMediaNames {
  constructor(
    private readonly redis: Redis,
    private readonly ns: Namespace,
    private readonly uin: number,
    private readonly log: Logger,
  ) {}

  /** Notes the media of a message event; never fails (a lost note costs a later look-up). */
  remember(event: OneBotEvent): void {
    const message = (event as { message?: unknown }).message;
    if (!Array.isArray(message)) return;
    const writes: Array<[string, string]> = [];
    for (const seg of message as SegmentLike[]) {
      if (writes.length >= MAX_NOTES_PER_EVENT) break;
      if (typeof seg !== 'object' || seg === null) continue;
      const d = seg.data;
      if (typeof seg.type !== 'string' || !KINDS.has(seg.type) || !d) continue;
      if (typeof d.file !== 'string' || d.file === '' || typeof d.url !== 'string') continue;
      if (d.url.length > MAX_URL_BYTES || Buffer.byteLength(d.url) > MAX_URL_BYTES) continue;
      if (!/^https?:\/\//i.test(d.url)) continue;
      const info: MediaInfo = {
        url: d.url,
        size: Number(d.file_size ?? d.size ?? 0) || 0,
        filename: clipText(d.file, MAX_NAME_BYTES),
      };
      writes.push([this.key(seg.type as MediaKind, d.file), JSON.stringify(info)]);
    }
    if (writes.length === 0) return;
    const multi = this.redis.multi();
    for (const [key, value] of writes) multi.set(key, value, 'EX', TTL_S);
    multi.exec().catch((err: unknown) => this.log.warn({ err }, 'upstream media not noted'));
  }

  /** Where a media name of the account's events can be fetched. */
  async lookup(kind: MediaKind, name: string): Promise<MediaInfo> {
    const json = await this.redis.get(this.key(kind, name));
    if (!json) return fail(kind === 'image' ? 'IMAGE_NOT_FOUND' : 'FILE_NOT_FOUND', name);
    return JSON.parse(json) as MediaInfo;
  }

  /** A long name is keyed by its digest, so a look-up by the whole name still finds it. */
  private key(kind: MediaKind, name: string): string {
    const short = name.length * 3 <= MAX_NAME_BYTES || Buffer.byteLength(name) <= MAX_NAME_BYTES;
    const keyed = short ? name : `#sha256:${createHash('sha256').update(name).digest('hex')}`;
    return this.ns.upstreamMediaKey(this.uin, kind, keyed);
  }
}
