/**
 * The media an upstream named in the account's events: the `file` of each image, record and
 * video segment, with the `url` it came with. They are what the session's `get_media` operation
 * answers for an upstream account, so cqfleet's media service can fetch, convert and read those
 * files itself where the upstream cannot (Lagrange has no `get_image` / `get_record`; NapCat's
 * OCR works on Windows only).
 *
 * Kept in Redis so the worker that takes the account over knows them too, in two hashes per
 * account (`<ns>:umedia:<uin>` and `<ns>:umedia:<uin>:old`, field `<kind>:<name>`): notes go
 * to the first, and once it holds NOTES_PER_GENERATION it becomes the second (the second's
 * notes dropped). A note older than a day is not answered (QQ's download URLs expire anyway),
 * and a hash not written for a day expires. What the notes may take is bounded however an
 * upstream floods (its events are untrusted input, and Redis is the cluster's):
 *
 * - one event: at most MAX_NOTES_PER_EVENT notes, a name longer than MAX_NAME_BYTES keyed by its
 *   digest (and kept cut to that length), a URL over MAX_URL_BYTES (a value over
 *   MAX_NOTE_BYTES) not noted;
 * - one account, in Redis: at most 2 × NOTES_PER_GENERATION + MAX_NOTES_PER_EVENT − 2 notes
 *   (the first hash is below the cap before a write, at most cap − 1 + 100 after, then renamed),
 *   so at most MAX_NOTES_BYTES_PER_ACCOUNT of fields and values: 1,122 × (263 + 5,120) bytes,
 *   about 5.8 MiB (plus Redis's per-field overhead); QQ's real notes (~0.7 KiB) take under 1 MiB;
 * - one account, in time: NOTE_LIMITS' 20 notes a second on average, 300 at once (a token
 *   bucket in the worker's memory; the rest of an event is not noted), so a flood cannot churn
 *   Redis either;
 * - the worker's Redis connection: note writes are best-effort, so one is skipped while the
 *   account's unanswered note writes would pass 1 MiB, or the worker's 4 MiB (NOTE_LIMITS):
 *   lease renewals and cursor writes share the connection and would queue behind them.
 *
 * A missing note only costs the fallback: a get_image / get_record the upstream fails is then
 * answered with its failure (IMAGE_NOT_FOUND / FILE_NOT_FOUND), as one for an unknown name is.
 *
 * The driver notes only events the account took.
 *
 * A name here is the upstream's word, checked against nothing: it is only a field of this
 * account's notes. Media fetched by it is kept under a name of the account and the URL, never
 * under this name (the media service's cache-key.ts), so an upstream that names an image after
 * another account's cache entry (`<md5(url)>.cache`) with a URL of its own replaces nothing.
 */
import { createHash } from 'node:crypto';
import type { Namespace } from '@cqfleet/contracts';
import { fail, MESSAGE_LIMITS, type OneBotEvent } from '@cqfleet/onebot';
import { counter, type Logger, type Redis } from '@cqfleet/runtime';
import { clipText } from './frames.js';

type MediaKind = 'image' | 'record' | 'video';
const KINDS: ReadonlySet<string> = new Set<MediaKind>(['image', 'record', 'video']);
/** How long a note is answered, and a hash not written kept. */
const TTL_S = 24 * 60 * 60;

/**
 * Notes one event writes at most: as many media as cqfleet lets one message hold (twice QQ's
 * 50 images), so nothing real is dropped.
 */
export const MAX_NOTES_PER_EVENT = MESSAGE_LIMITS.media.max;
/** Longest name used in a field as it is: QQ's names are `<md5>.image` or a GUID, well under. */
export const MAX_NAME_BYTES = 256;
/** Longest URL noted: QQ's download URLs (with their rkey) are under 1 KiB. */
export const MAX_URL_BYTES = 4096;
/** Longest note's value (its JSON): the URL, the name cut to MAX_NAME_BYTES, room for escapes. */
export const MAX_NOTE_BYTES = 5120;
/**
 * Notes of one hash of the account before it becomes the old one: the account's last 512 media
 * at least are always answered — a client asks for an image moments after its event.
 */
export const NOTES_PER_GENERATION = 512;
/** Longest field: the kind (`record`), `:`, the name or its digest. */
const MAX_FIELD_BYTES = 'record:'.length + MAX_NAME_BYTES;
/** The most notes an account has in Redis (see the header). */
export const MAX_NOTES_PER_ACCOUNT = 2 * NOTES_PER_GENERATION + MAX_NOTES_PER_EVENT - 2;
/** The most bytes of fields and values an account's notes take in Redis: ~5.8 MiB. */
export const MAX_NOTES_BYTES_PER_ACCOUNT =
  MAX_NOTES_PER_ACCOUNT * (MAX_FIELD_BYTES + MAX_NOTE_BYTES);

/**
 * How many notes an account writes, and how many its writes may hold on the worker's Redis
 * connection: the defaults are NOTE_LIMITS; a test sets its own.
 */
export interface NoteLimits {
  /** Notes a second on average (a bucket's refill). */
  rate: number;
  /** Notes at once (the bucket's size): a few full events. */
  burst: number;
  /** Bytes of this account's note writes not yet answered by Redis past which one is skipped. */
  accountBacklogBytes: number;
  /** The same for all accounts of the worker. */
  workerBacklogBytes: number;
}

export const NOTE_LIMITS: Readonly<NoteLimits> = {
  // 20 notes a second (1.7 M a day) is more than a busy account receives, 300 at once three
  // full events; one account then writes at most 20 × 5.4 KB ≈ 108 KB/s of notes.
  rate: 20,
  burst: 300,
  // An account's one full event (100 × 5.4 KB ≈ 540 KB) fits; the worker's, seven of them.
  accountBacklogBytes: 1024 * 1024,
  workerBacklogBytes: 4 * 1024 * 1024,
};

const skipped = counter(
  'cqfleet_session_upstream_media_notes_skipped_total',
  'Media notes of upstream events not written, by why: the account’s rate, or the Redis backlog',
  ['reason'],
);

/** Bytes of note writes of all accounts of this worker not yet answered by Redis. */
let workerBacklog = 0;

/**
 * Writes the notes to the current hash; once it holds the cap it becomes the old one.
 * KEYS: current, old. ARGV: cap, ttl (s), then field, value pairs.
 */
const WRITE_NOTES = `
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('EXPIRE', KEYS[1], ARGV[2])
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[1]) then
  redis.call('RENAME', KEYS[1], KEYS[2])
end
return 0
`;

interface NotesCommands {
  cqfUpstreamNotes(current: string, old: string, ...args: Array<string | number>): Promise<number>;
}

export interface MediaInfo {
  url: string;
  size: number;
  filename: string;
}

/** A note as stored: the media and when it was noted (ms). */
interface Note extends MediaInfo {
  at: number;
}

interface SegmentLike {
  type?: unknown;
  data?: { file?: unknown; url?: unknown; file_size?: unknown; size?: unknown };
}

export class UpstreamMediaNames {
  private readonly current: string;
  private readonly old: string;
  private readonly limits: NoteLimits;
  private tokens: number;
  private refilled = performance.now();
  private backlog = 0;

  constructor(
    private readonly redis: Redis,
    ns: Namespace,
    uin: number,
    private readonly log: Logger,
    limits: Partial<NoteLimits> = {},
  ) {
    this.current = ns.key('umedia', uin);
    this.old = ns.key('umedia', uin, 'old');
    this.limits = { ...NOTE_LIMITS, ...limits };
    this.tokens = this.limits.burst;
    if (!(redis as unknown as Partial<NotesCommands>).cqfUpstreamNotes)
      redis.defineCommand('cqfUpstreamNotes', { numberOfKeys: 2, lua: WRITE_NOTES });
  }

  /** Notes the media of a message event; never fails (a lost note costs a later look-up). */
  remember(event: OneBotEvent): void {
    const message = (event as { message?: unknown }).message;
    if (!Array.isArray(message)) return;
    const at = Date.now();
    const notes: Array<{ field: string; value: string; bytes: number }> = [];
    for (const seg of message as SegmentLike[]) {
      if (notes.length >= MAX_NOTES_PER_EVENT) break;
      if (typeof seg !== 'object' || seg === null) continue;
      const d = seg.data;
      if (typeof seg.type !== 'string' || !KINDS.has(seg.type) || !d) continue;
      if (typeof d.file !== 'string' || d.file === '' || typeof d.url !== 'string') continue;
      if (d.url.length > MAX_URL_BYTES || Buffer.byteLength(d.url) > MAX_URL_BYTES) continue;
      if (!/^https?:\/\//i.test(d.url)) continue;
      const note: Note = {
        url: d.url,
        size: Number(d.file_size ?? d.size ?? 0) || 0,
        filename: clipText(d.file, MAX_NAME_BYTES),
        at,
      };
      const value = JSON.stringify(note);
      const field = this.field(seg.type as MediaKind, d.file);
      const size = Buffer.byteLength(value);
      if (size <= MAX_NOTE_BYTES)
        notes.push({ field, value, bytes: Buffer.byteLength(field) + size });
    }
    if (notes.length === 0) return;
    // What the account's bucket holds is written; the rest of the event is not.
    const granted = notes.slice(0, this.take(notes.length));
    if (granted.length < notes.length)
      skipped.inc({ reason: 'rate' }, notes.length - granted.length);
    if (granted.length === 0) return;
    const bytes = granted.reduce((sum, n) => sum + n.bytes, 0);
    if (
      this.backlog + bytes > this.limits.accountBacklogBytes ||
      workerBacklog + bytes > this.limits.workerBacklogBytes
    ) {
      this.tokens += granted.length;
      return void skipped.inc({ reason: 'backlog' }, granted.length);
    }
    this.backlog += bytes;
    workerBacklog += bytes;
    const args = granted.flatMap(n => [n.field, n.value]);
    (this.redis as unknown as NotesCommands)
      .cqfUpstreamNotes(this.current, this.old, NOTES_PER_GENERATION, TTL_S, ...args)
      .catch((err: unknown) => this.log.warn({ err }, 'upstream media not noted'))
      .finally(() => {
        this.backlog -= bytes;
        workerBacklog -= bytes;
      });
  }

  /** Where a media name of the account's events can be fetched. */
  async lookup(kind: MediaKind, name: string): Promise<MediaInfo> {
    const field = this.field(kind, name);
    // The current hash first: renamed in between, the note is then in the old one.
    const current = await this.redis.hget(this.current, field);
    const json = current ?? (await this.redis.hget(this.old, field));
    const note = json ? (JSON.parse(json) as Partial<Note>) : undefined;
    if (!note || Date.now() - (note.at ?? 0) > TTL_S * 1000)
      return fail(kind === 'image' ? 'IMAGE_NOT_FOUND' : 'FILE_NOT_FOUND', name);
    return { url: String(note.url), size: Number(note.size) || 0, filename: String(note.filename) };
  }

  /** Takes up to `n` notes from the account's bucket: how many it had. */
  private take(n: number): number {
    const now = performance.now();
    const { rate, burst } = this.limits;
    this.tokens = Math.min(burst, this.tokens + ((now - this.refilled) / 1000) * rate);
    this.refilled = now;
    const taken = Math.min(n, Math.floor(this.tokens));
    this.tokens -= taken;
    return taken;
  }

  /** A long name is keyed by its digest, so a look-up by the whole name still finds it. */
  private field(kind: MediaKind, name: string): string {
    const short = name.length * 3 <= MAX_NAME_BYTES || Buffer.byteLength(name) <= MAX_NAME_BYTES;
    return `${kind}:${short ? name : `#sha256:${createHash('sha256').update(name).digest('hex')}`}`;
  }
}
