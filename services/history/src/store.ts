/**
 * Messages in Redis.
 *
 * Layout (under `<ns>:h:`, see @cqfleet/contracts):
 * - `m:<self_id>:<message_id>`   the message event as JSON (segments in `message`);
 * - `g:<self_id>:<group_id>`     sorted set of the group's message ids by message seq.
 *
 * Everything is keyed by the account, so one account can never read another's messages.
 * Writes are idempotent (SET / ZADD of the same values), so a redelivered event stores nothing
 * twice. (Retention, the shared encoding of group messages seen by several accounts and the
 * measured memory figures are the history issue's work; this is the first layout.)
 */
import type { Namespace } from '@cqfleet/contracts';
import type { MessageEvent } from '@cqfleet/onebot';
import type { Redis } from '@cqfleet/runtime';

/** What history keeps of a message: the event as the session published it. */
export type StoredMessage = MessageEvent;

/** Messages returned by one `get_group_msg_history` page (go-cqhttp: seq-19 .. seq). */
export const HISTORY_PAGE = 20;

export class MessageStore {
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    ns: Namespace,
  ) {
    this.prefix = ns.historyPrefix;
  }

  private msgKey(selfId: number, messageId: number): string {
    return `${this.prefix}m:${selfId}:${messageId}`;
  }

  private groupIndex(selfId: number, groupId: number): string {
    return `${this.prefix}g:${selfId}:${groupId}`;
  }

  async put(m: StoredMessage): Promise<void> {
    const body = JSON.stringify(m);
    const multi = this.redis.multi().set(this.msgKey(m.self_id, m.message_id), body);
    if (m.message_type === 'group')
      multi.zadd(this.groupIndex(m.self_id, m.group_id), m.message_seq, String(m.message_id));
    await multi.exec();
  }

  async get(selfId: number, messageId: number): Promise<StoredMessage | undefined> {
    const body = await this.redis.get(this.msgKey(selfId, messageId));
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
    if (ids.length === 0) return [];
    const bodies = await this.redis.mget(ids.map(id => this.msgKey(selfId, Number(id))));
    return bodies
      .filter((b): b is string => b !== null)
      .map(b => JSON.parse(b) as StoredMessage)
      .reverse();
  }
}
