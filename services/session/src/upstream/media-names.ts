/**
 * The media an upstream named in the account's events: the `file` of each image, record and
 * video segment, with the `url` it came with. They are what the session's `get_media` operation
 * answers for an upstream account, so cqfleet's media service can fetch, convert and read those
 * files itself where the upstream cannot (Lagrange has no `get_image` / `get_record`; NapCat's
 * OCR works on Windows only).
 *
 * Kept in Redis (`Namespace.upstreamMediaKey`) for a day — QQ's download URLs expire anyway —
 * so the worker that takes the account over knows them too.
 *
 * A name here is the upstream's word, checked against nothing: it is only a key of this
 * account's notes. Media fetched by it is kept under a name of the account and the URL, never
 * under this name (the media service's cache-key.ts), so an upstream that names an image after
 * another account's cache entry (`<md5(url)>.cache`) with a URL of its own replaces nothing.
 */
import type { Namespace } from '@cqfleet/contracts';
import { fail, type OneBotEvent } from '@cqfleet/onebot';
import type { Logger, Redis } from '@cqfleet/runtime';

type MediaKind = 'image' | 'record' | 'video';
const KINDS: ReadonlySet<string> = new Set<MediaKind>(['image', 'record', 'video']);
const TTL_S = 24 * 60 * 60;

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
      const d = seg.data;
      if (typeof seg.type !== 'string' || !KINDS.has(seg.type) || !d) continue;
      if (typeof d.file !== 'string' || d.file === '' || typeof d.url !== 'string') continue;
      if (!/^https?:\/\//i.test(d.url)) continue;
      const info: MediaInfo = {
        url: d.url,
        size: Number(d.file_size ?? d.size ?? 0) || 0,
        filename: d.file,
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

  private key(kind: MediaKind, name: string): string {
    return this.ns.upstreamMediaKey(this.uin, kind, name);
  }
}
