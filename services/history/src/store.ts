/**
 * Messages in Redis.
 *
 * Layout (under `<ns>:h:`, see @cqfleet/contracts):
 * - `m:<self_id>:<message_id>`   the message event as JSON (segments in `message`);
 * - `g:<self_id>:<group_id>`     sorted set of the group's message ids by message seq;
 * - `p:<self_id>:<peer_id>`      sorted set of a private chat's message ids by stream order
 *                                (private seqs are per sender, so they cannot order a chat).
 *
 * Everything is keyed by the account, so one account can never read another's messages.
 * Writes are idempotent (SET / ZADD of the same values), so a redelivered event stores nothing
 * twice. (Retention, the shared encoding of group messages seen by several accounts and the
 * measured memory figures are the history issue's work; this is the first layout.)
 */
import type { Namespace } from '@cqfleet/contracts';
import { type MessageEvent, messageId } from '@cqfleet/onebot';
import type { Redis } from '@cqfleet/runtime';

/** What history keeps of a message: the event as the session published it. */
export type StoredMessage = MessageEvent;

/** Messages returned by one `get_group_msg_history` page (go-cqhttp: seq-19 .. seq). */
export const HISTORY_PAGE = 20;

/** The other side of a private chat. */
function peerOf(m: StoredMessage): number {
  return m.message_type === 'private' && m.user_id === m.self_id ? m.target_id : m.user_id;
}

export class MessageStore {
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    ns: Namespace,
  ) {
    this.prefix = ns.historyPrefix;
  }

  private msgKey(selfId: number, id: number): string {
    return `${this.prefix}m:${selfId}:${id}`;
  }

  private groupIndex(selfId: number, groupId: number): string {
    return `${this.prefix}g:${selfId}:${groupId}`;
  }

  private privateIndex(selfId: number, peerId: number): string {
    return `${this.prefix}p:${selfId}:${peerId}`;
  }

  /** Stores a message; `order` is its position in the event stream (orders private chats). */
  async put(m: StoredMessage, order: number): Promise<void> {
    const multi = this.redis.multi().set(this.msgKey(m.self_id, m.message_id), JSON.stringify(m));
    if (m.message_type === 'group')
      multi.zadd(this.groupIndex(m.self_id, m.group_id), m.message_seq, String(m.message_id));
    else multi.zadd(this.privateIndex(m.self_id, peerOf(m)), 'NX', order, String(m.message_id));
    await multi.exec();
  }

  async get(selfId: number, id: number): Promise<StoredMessage | undefined> {
    const body = await this.redis.get(this.msgKey(selfId, id));
    return body ? (JSON.parse(body) as StoredMessage) : undefined;
  }

  /** Up to HISTORY_PAGE group messages with seq ≤ `seq` (latest when seq is 0), oldest first. */
  async groupHistory(selfId: number, groupId: number, seq: number): Promise<StoredMessage[]> {
    const ids = await this.redis.zrevrangebyscore(
      this.groupIndex(selfId, groupId),
      seq > 0 ? seq : '+inf',
      '-inf',
      'LIMIT',
      0,
      HISTORY_PAGE,
    );
    return this.load(selfId, ids);
  }

  /**
   * Up to `count` private messages with `peerId`, ending at the message with seq `seq` (sent by
   * either side; the latest when 0), oldest first.
   */
  async privateHistory(
    selfId: number,
    peerId: number,
    seq: number,
    count: number,
  ): Promise<StoredMessage[]> {
    const index = this.privateIndex(selfId, peerId);
    let max: number | string = '+inf';
    if (seq > 0) {
      const candidates = [messageId(peerId, seq), messageId(selfId, seq)];
      const scores = await Promise.all(candidates.map(id => this.redis.zscore(index, String(id))));
      const found = scores.filter((s): s is string => s !== null).map(Number);
      if (found.length === 0) return [];
      max = Math.max(...found);
    }
    const ids = await this.redis.zrevrangebyscore(
      index,
      max,
      '-inf',
      'LIMIT',
      0,
      Math.max(1, Math.min(count, 200)),
    );
    return this.load(selfId, ids);
  }

  /** Messages by id (newest first in `ids`), returned oldest first. */
  private async load(selfId: number, ids: string[]): Promise<StoredMessage[]> {
    if (ids.length === 0) return [];
    const bodies = await this.redis.mget(ids.map(id => this.msgKey(selfId, Number(id))));
    return bodies
      .filter((b): b is string => b !== null)
      .map(b => JSON.parse(b) as StoredMessage)
      .reverse();
  }
}
