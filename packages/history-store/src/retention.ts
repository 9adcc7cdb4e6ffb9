/**
 * Retention of the store (store.ts has the layout): count retention trims a chat's oldest
 * buckets as new ones fill (`keepPerChat`), age retention drops buckets whose newest message is
 * older than `maxAgeS` (the `ages` sorted set). A bucket goes with its id-index entries, its
 * records' share of `count`, and its chat's lower bound raised; a chat's last bucket goes with
 * the chat's entries (lower bound, top, bucket count, upstream group membership), so chats that
 * are no more cost nothing. Every step idempotent.
 */
import { messageId } from '@cqfleet/onebot';
import type { Redis } from '@cqfleet/runtime';
import { decodeMessage } from './codec.js';
import { storeKeys, type StoreKeys } from './keys.js';
import { BUCKET, indexKey, type StoredMessage } from './reader.js';

/** The store's settings retention reads (store.ts StoreOptions). */
export interface RetentionOptions {
  idSlots: number;
  keepPerChat: number;
  maxAgeS: number;
}

/**
 * Times a bucket is read again when messages are written into it while it is being dropped:
 * retention drops old buckets, which seldom take new messages, so one more read nearly always
 * does; the bound only keeps a chat that never stops from holding the sweep.
 */
const MAX_DROP_TRIES = 5;

export class Retention {
  private readonly keys: StoreKeys;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly options: RetentionOptions,
  ) {
    this.keys = storeKeys(prefix);
  }

  /** The first bucket count retention keeps when the chat's newest position is `top`. */
  trimBelow(top: number): number {
    const keep = this.options.keepPerChat;
    return keep > 0 ? Math.floor(Math.max(0, top - keep + 1) / BUCKET) : 0;
  }

  /**
   * Drops the chat's buckets from `lo` up to (not including) `below`, a few per call; stops at
   * a bucket it could not drop, so the chat's lower bound is not raised past it.
   */
  async trimChat(chat: string, lo: number, below: number): Promise<void> {
    for (let b = lo; b < below && b < lo + 16; b++)
      if (!(await this.dropBucket(`${this.prefix}${chat}:${b}`))) return;
  }

  /**
   * Deletes one bucket with its id-index entries, and its chat's entries with its last bucket
   * (scripts.ts DROP_BUCKET, one atomic step). The bucket is read first, for the ids its records
   * are indexed under; when a message was written into it meanwhile, it is read again. False
   * when messages kept arriving in it MAX_DROP_TRIES times: it is left for the next sweep or
   * trim; false too when `cutoff` (age retention's, in seconds) is given and the bucket's newest
   * message is no longer older than it. Safe to run twice or concurrently.
   */
  async dropBucket(key: string, cutoff?: number): Promise<boolean> {
    const rel = key.slice(this.prefix.length);
    const parts = rel.split(':');
    const bucket = Number(parts.at(-1));
    const chat = parts.slice(0, -1).join(':');
    const { tops, field, groups } = this.chatEntries(parts);
    for (let tries = 0; tries < MAX_DROP_TRIES; tries++) {
      const entries = await this.redis.hgetallBuffer(key);
      const indexKeys: string[] = [];
      const pairs: Array<string | number> = [];
      for (const [seq, record] of Object.entries(entries)) {
        // A record's id is derived from chat and seq unless it holds an upstream's own; a
        // private one of those is indexed under both.
        for (const id of this.indexedIds(record, parts, Number(seq))) {
          indexKeys.push(indexKey(this.prefix, this.options.idSlots, id));
          pairs.push(id, `${chat}:${seq}`);
        }
      }
      const dropped = await this.redis.historyDropBucket(
        7 + indexKeys.length,
        key,
        this.keys.count,
        this.keys.ages,
        this.keys.lowerBounds,
        this.keys.bucketCounts,
        tops,
        groups ?? tops,
        ...indexKeys,
        chat,
        bucket,
        Object.keys(entries).length,
        field,
        groups ? '1' : '0',
        cutoff ?? '',
        ...pairs,
      );
      if (dropped !== -1) return dropped >= 0;
    }
    return false;
  }

  /**
   * Where a chat (`parts`: a bucket key split at ':') has entries besides its buckets: its top
   * in `tops` under `field`, and for an upstream's group the group in `groups`.
   */
  private chatEntries(parts: string[]): { tops: string; field: string; groups?: string } {
    const [kind, a, b] = parts;
    if (kind === 'g') return { tops: `${this.prefix}gt`, field: a ?? '' };
    if (kind === 'u')
      return { tops: `${this.prefix}ut:${a}`, field: b ?? '', groups: `${this.prefix}ug:${a}` };
    if (kind === 'p') return { tops: `${this.prefix}pc:${a}`, field: b ?? '' };
    return { tops: this.keys.bucketCounts, field: '' };
  }

  /** The ids a stored record is indexed under (`parts`: its chat key split at ':'). */
  private indexedIds(record: Buffer, parts: string[], field: number): number[] {
    // g:<group>, u:<self>:<group>, p:<self>:<peer>
    const group =
      parts[0] === 'g' ? Number(parts[1]) : parts[0] === 'u' ? Number(parts[2]) : undefined;
    let m: StoredMessage;
    try {
      m = decodeMessage(record, parts[0] === 'g' ? 0 : Number(parts[1]), group);
    } catch {
      return group === undefined ? [] : [messageId(group, field)];
    }
    if (group !== undefined) return [m.message_id];
    const derived = messageId(m.user_id, m.message_seq);
    return derived === m.message_id ? [derived] : [m.message_id, derived];
  }

  /** Age retention: drops buckets whose newest message is older than maxAgeS; returns how many. */
  async sweep(now = Date.now(), limit = 200): Promise<number> {
    if (this.options.maxAgeS <= 0) return 0;
    const cutoff = Math.floor(now / 1000) - this.options.maxAgeS;
    const keys = await this.redis.zrangebyscore(
      this.keys.ages,
      '-inf',
      `(${cutoff}`,
      'LIMIT',
      0,
      limit,
    );
    let dropped = 0;
    for (const key of keys) if (await this.dropBucket(key, cutoff)) dropped++;
    return dropped;
  }
}
