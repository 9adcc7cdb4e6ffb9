/**
 * Pages of a chat's history from the store (store.ts has the layout): go-cqhttp's
 * `get_group_msg_history` and the NT-era `get_friend_msg_history`. Reads only, under the same
 * visibility as `get_msg`: a group page is read through the account's `ag:`/`ug:` sets and
 * its seq windows (`av:`) by a script, a private page from the account's own chat.
 */
import { messageId } from '@cqfleet/onebot';
import type { Redis } from '@cqfleet/runtime';
import { decodeMessage } from './codec.js';
import { storeKeys } from './keys.js';
import { BUCKET, decodeAll, indexKey, type StoredMessage } from './reader.js';

/** `get_group_msg_history` answers seq-19 .. seq by default, as go-cqhttp fetches it. */
export const HISTORY_PAGE = 20;

/** Most messages one `get_group_msg_history` returns (NapCat's `count`). */
export const MAX_GROUP_PAGE = 200;

/** Most messages one `get_friend_msg_history` returns. */
export const MAX_FRIEND_PAGE = 200;

export class HistoryPages {
  /** `prefix`: the namespace's history prefix (`<ns>:h:`); `idSlots`: the id index's size. */
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly idSlots: number,
  ) {}

  /**
   * go-cqhttp's page: the messages with seq `seq`-(count-1) .. `seq` (latest when 0; `count` 20
   * by default), oldest first; undefined when `seq` is past the newest message of the group.
   */
  async groupHistory(
    selfId: number,
    group: number,
    seq: number,
    count = HISTORY_PAGE,
  ): Promise<StoredMessage[] | undefined> {
    const records = await this.redis.historyGroupPageBuffer(
      `${this.prefix}ug:${selfId}`,
      `${this.prefix}ut:${selfId}`,
      `${this.prefix}ag:${selfId}`,
      `${this.prefix}gt`,
      `${this.prefix}av:${selfId}`,
      group,
      Math.max(0, seq),
      Math.max(1, Math.min(count, MAX_GROUP_PAGE)),
      this.prefix,
      BUCKET,
      selfId,
    );
    return records ? decodeAll(records, r => decodeMessage(r, selfId, group)) : undefined;
  }

  /**
   * Up to `count` private messages with `peer`, ending at the message with seq `seq` (sent by
   * either side; the latest when 0), oldest first; undefined when no message has that seq.
   */
  async privateHistory(
    selfId: number,
    peer: number,
    seq: number,
    count: number,
  ): Promise<StoredMessage[] | undefined> {
    let top: number;
    if (seq > 0) {
      const pos = await this.positionOf(selfId, peer, seq);
      if (pos === undefined) return undefined;
      top = pos;
    } else {
      top = Number((await this.redis.hget(`${this.prefix}pc:${selfId}`, String(peer))) ?? 0);
    }
    if (top <= 0) return [];
    const n = Math.max(1, Math.min(count, MAX_FRIEND_PAGE));
    return this.readPrivate(selfId, peer, range(Math.max(1, top - n + 1), top));
  }

  /** Where the message with `seq` (from either side) sits in the chat. */
  private async positionOf(selfId: number, peer: number, seq: number): Promise<number | undefined> {
    const chat = `p:${selfId}:${peer}:`;
    for (const id of [messageId(peer, seq), messageId(selfId, seq)]) {
      const text = await this.redis.hget(indexKey(this.prefix, this.idSlots, id), String(id));
      const hit = text?.split(' ').find(l => l.startsWith(chat));
      if (hit) return Number(hit.slice(chat.length));
    }
    return undefined;
  }

  private async readPrivate(
    selfId: number,
    peer: number,
    positions: number[],
  ): Promise<StoredMessage[]> {
    const prefix = storeKeys(this.prefix).privateChat(selfId, peer);
    const records = await this.readBuckets(positions, b => `${prefix}${b}`);
    return decodeAll(records, r => decodeMessage(r, selfId));
  }

  /** The records at `fields` (ascending), one HMGET per bucket, in one round trip. */
  private async readBuckets(fields: number[], key: (bucket: number) => string): Promise<Buffer[]> {
    const byBucket = new Map<number, number[]>();
    for (const f of fields) {
      const b = Math.floor(f / BUCKET);
      byBucket.set(b, [...(byBucket.get(b) ?? []), f]);
    }
    const pipeline = this.redis.pipeline();
    for (const [b, fs] of byBucket) pipeline.hmgetBuffer(key(b), ...fs.map(String));
    const results = (await pipeline.exec()) ?? [];
    const out: Buffer[] = [];
    for (const [err, values] of results) {
      if (err) throw err;
      for (const v of values as Array<Buffer | null>) if (v) out.push(v);
    }
    return out;
  }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
