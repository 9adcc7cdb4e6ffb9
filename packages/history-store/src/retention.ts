/**
 * Retention of the store (store.ts has the layout): count retention trims a chat's oldest
 * buckets as new ones fill (`keepPerChat`), age retention drops buckets whose newest message is
 * older than `maxAgeS` (the `ages` sorted set). A bucket goes with its id-index entries, its
 * records' share of `count`, and its chat's lower bound raised, every step idempotent.
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

  /** Drops the chat's buckets from `lo` up to (not including) `below`, a few per call. */
  async trimChat(chat: string, lo: number, below: number): Promise<void> {
    for (let b = lo; b < below && b < lo + 16; b++)
      await this.dropBucket(`${this.prefix}${chat}:${b}`);
  }

  /**
   * Deletes one bucket with its id-index entries and raises its chat's lower bound. Safe to
   * run twice or concurrently: every step is idempotent.
   */
  async dropBucket(key: string): Promise<void> {
    const rel = key.slice(this.prefix.length);
    const parts = rel.split(':');
    const bucket = Number(parts.at(-1));
    const chat = parts.slice(0, -1).join(':');
    const entries = await this.redis.hgetallBuffer(key);
    const pipeline = this.redis.pipeline();
    for (const [field, record] of Object.entries(entries)) {
      const loc = `${chat}:${field}`;
      // A record's id is derived from chat and seq unless it holds an upstream's own; a private
      // one of those is indexed under both.
      for (const id of this.indexedIds(record, parts, Number(field)))
        pipeline.historyRemoveLocation(
          indexKey(this.prefix, this.options.idSlots, id),
          String(id),
          loc,
        );
    }
    pipeline
      .historyDropBucket(key, this.keys.count)
      .zrem(this.keys.ages, key)
      .historyRaiseLowerBound(this.keys.lowerBounds, chat, bucket);
    await pipeline.exec();
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
    for (const key of keys) await this.dropBucket(key);
    return keys.length;
  }
}
