/**
 * Reading one stored message by id: the store's read side, used by the history service and by
 * the gateway, which answers `get_msg` from here without a hop to history (issue 20: two
 * loopback hops of Node processes do not fit a p50 of 0.5 ms). History stays the only writer;
 * a reader sees exactly what history would answer from the store, never a copy of it.
 */
import type { Namespace } from '@cqfleet/contracts';
import type { MessageEvent } from '@cqfleet/onebot';
import type { Redis } from '@cqfleet/runtime';
import { decodeMessage } from './codec.js';
import { defineScripts } from './scripts.js';

/** What history keeps of a message: the event as the session published it. */
export type StoredMessage = MessageEvent;

/** Messages per bucket hash. */
export const BUCKET = 64;

/** The hash of the id index that holds `id`. */
export function indexKey(prefix: string, idSlots: number, id: number): string {
  return `${prefix}i:${(id >>> 0) % idSlots}`;
}

/** A record that does not decode (written by something else) reads as absent. */
export function decodeAll(
  records: Buffer[],
  decode: (r: Buffer) => StoredMessage,
): StoredMessage[] {
  const out: StoredMessage[] = [];
  for (const r of records) {
    try {
      out.push(decode(r));
    } catch {
      // skipped: see above
    }
  }
  return out;
}

export class MessageReader {
  private readonly prefix: string;

  /** `idSlots` must be the writer's (layout.ts publishes it). */
  constructor(
    private readonly redis: Redis,
    ns: Namespace,
    readonly idSlots: number,
  ) {
    this.prefix = ns.historyPrefix;
    defineScripts(redis);
  }

  /**
   * The message `id` as account `selfId` may see it (ids collide: the last stored wins): a
   * private message only in that account's own chats, a shared group message only at a seq the
   * account received, an upstream's record only under its own account. One round trip.
   */
  async get(selfId: number, id: number): Promise<StoredMessage | undefined> {
    const found = await this.redis.historyGetMessageBuffer(
      indexKey(this.prefix, this.idSlots, id),
      `${this.prefix}ag:${selfId}`,
      `${this.prefix}av:${selfId}`,
      id,
      selfId,
      this.prefix,
      BUCKET,
    );
    if (!found) return undefined;
    const [record, group] = found;
    return decodeAll([record], r => decodeMessage(r, selfId, Number(group.toString())))[0];
  }
}
