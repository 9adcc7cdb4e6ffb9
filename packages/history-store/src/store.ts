/**
 * Messages in Redis, laid out for memory (figures in README.md, from `npm run bench`).
 *
 * Under `<ns>:h:`:
 * - `g:<group>:<b>`          hash seq → record: a group's messages, BUCKET seqs per hash. One
 *                            record per group message, whichever accounts saw it, so the same
 *                            message has the same `message_id` for all of them. Only what
 *                            cqfleet's own drivers report (the simulator, the QQ network) is
 *                            shared this way;
 * - `u:<self>:<group>:<b>`   the same for what an upstream implementation (NapCat, Lagrange …)
 *                            reported for its account: it is not ours to trust, so it is kept
 *                            under that account alone — an upstream cannot overwrite another
 *                            account's messages, nor read a group by claiming a message in it;
 * - `p:<self>:<peer>:<b>`    hash position → record: one account's private chat, positions
 *                            1, 2, … in the order messages were stored (private seqs are per
 *                            sender, so they cannot order a chat);
 * - `i:<slot>`               hash message_id → locations (`g:<group>:<seq>`,
 *                            `p:<self>:<peer>:<pos>`, space-separated: ids are 32-bit CRCs and
 *                            do collide); slot = id mod `idSlots`, so each hash stays small;
 * - `ag:<self>`              set of the groups an account has shared messages in: it reads those,
 *   `av:<self>`              hash group → the runs of seqs it received there, only those
 *                            (scripts.ts SEQ_WINDOWS: not what was said before it joined or
 *                            after it left);
 *   `ug:<self>`              set of the groups an upstream account has its own messages in;
 * - `gt`, `ut:<self>`,       hashes: a group's highest seq (shared, an upstream account's own),
 *   `pc:<self>`              a private chat's highest position;
 * - `lo`                     hash chat → its lowest bucket (where count retention trims);
 * - `nb`                     hash chat → how many buckets it has: retention drops a chat's
 *                            `lo`, `nb`, top and `ug` entry with its last bucket (retention.ts);
 * - `ages`                   sorted set bucket → newest time in it (age retention only);
 * - `count`                  the number of records in all buckets, kept by the scripts;
 * - `layout`                 hash: what a reader needs to know (layout.ts);
 * - `f:<resid>`              a forward message's nodes (expiring with age retention). A resid
 *                            is QQ's own capability: whoever holds it may read the nodes.
 *   `fu:<self>:<resid>`      the nodes an upstream account's implementation answered, the
 *   `fx:<self>`              account's newest MAX_FORWARDS_PER_ACCOUNT of them (sorted set
 *                            key → when stored; the older ones are dropped). A record over
 *                            MAX_FORWARD_RECORD_BYTES is not kept.
 *
 * Records are codec.ts's. Private locations name the account, group reads check `ag:<self>`
 * and `av:<self>`, so one account never reads another's private messages, nor a group's from
 * when it was not there. Every write is idempotent: a
 * redelivered event changes nothing. One message is read by reader.ts, a chat's pages by
 * history-pages.ts; retention.ts drops old buckets.
 */
import type { Namespace } from '@cqfleet/contracts';
import { messageId } from '@cqfleet/onebot';
import type { Redis } from '@cqfleet/runtime';
import type { ForwardNodeRecord } from '@cqfleet/contracts';
import { decodeForward, encodeForward, encodeMessage } from './codec.js';
import { BUCKET, indexKey, MessageReader, type StoredMessage } from './reader.js';
import { HISTORY_PAGE, HistoryPages } from './history-pages.js';
import { storeKeys, type StoreKeys } from './keys.js';
import { Retention } from './retention.js';
import { defineScripts, MAX_FORWARDS_PER_ACCOUNT } from './scripts.js';

export { HISTORY_PAGE, MAX_FRIEND_PAGE, MAX_GROUP_PAGE } from './history-pages.js';

/**
 * The largest forward record kept (encoded): QQ's forwards of 200 short nodes take tens of KiB;
 * one an upstream pads to tens of MiB is served once and not kept.
 */
export const MAX_FORWARD_RECORD_BYTES = 512 * 1024;

/** Messages stored per script call (scripts.ts PUT_MANY). */
const PUT_CHUNK = 50;

export interface StoreOptions {
  /** Hashes of the id index; keep ids / idSlots under 128 so they stay compact. */
  idSlots: number;
  /** Messages kept per chat (at bucket granularity: up to BUCKET-1 more); 0 keeps all. */
  keepPerChat: number;
  /** Seconds a message is kept (at bucket granularity); 0 keeps them forever. */
  maxAgeS: number;
  /** Records at least this long are deflated; Infinity never (codec.ts). */
  compressFrom?: number;
}

/** The other side of a private chat. */
function peerOf(m: StoredMessage): number {
  return m.message_type === 'private' && m.user_id === m.self_id ? m.target_id : m.user_id;
}

/**
 * Whose a message is, for where it is kept: `shared` — reported by cqfleet's own drivers, one
 * record per group message for every account that saw it; `own` — reported by an upstream
 * implementation for its account, kept under that account alone.
 */
export type Trust = 'shared' | 'own';

/** The chat a message belongs to, as its keys name it. */
function chatOf(m: StoredMessage, trust: Trust): string {
  if (m.message_type === 'private') return `p:${m.self_id}:${peerOf(m)}`;
  return trust === 'own' ? `u:${m.self_id}:${m.group_id}` : `g:${m.group_id}`;
}

export class MessageStore {
  private readonly prefix: string;
  private readonly keys: StoreKeys;
  private readonly reader: MessageReader;
  private readonly pages: HistoryPages;
  private readonly retention: Retention;

  constructor(
    private readonly redis: Redis,
    ns: Namespace,
    readonly options: StoreOptions = { idSlots: 65_536, keepPerChat: 0, maxAgeS: 0 },
  ) {
    this.prefix = ns.historyPrefix;
    this.keys = storeKeys(this.prefix);
    defineScripts(redis);
    this.reader = new MessageReader(redis, ns, options.idSlots);
    this.pages = new HistoryPages(redis, this.prefix, options.idSlots);
    this.retention = new Retention(redis, this.prefix, options);
  }

  // --- keys -----------------------------------------------------------------------------

  private index(id: number): string {
    return indexKey(this.prefix, this.options.idSlots, id);
  }

  // --- the message count (scripts.ts countAdd) -------------------------------------------

  /** Messages kept, or undefined when the store has no count yet (see {@link seedCount}). */
  async count(): Promise<number | undefined> {
    const n = await this.redis.get(this.keys.count);
    return n === null || !/^-?\d+$/.test(n) ? undefined : Math.max(0, Number(n));
  }

  /**
   * Sets the count of a store that has none, from a scan of its buckets (false: another
   * replica set it first). From then on the scripts keep it. Writes made while the scan ran may
   * be missed or counted: the count is right to within the writes of one scan.
   */
  async seedCount(n: number): Promise<boolean> {
    return (await this.redis.set(this.keys.count, n, 'NX')) === 'OK';
  }

  // --- writes ---------------------------------------------------------------------------

  /**
   * Stores messages (one round trip for the lot), then trims chats over their count limit.
   * `trust` says, per message, whether it is shared or the account's own (see {@link Trust}).
   */
  async putMany(
    messages: readonly StoredMessage[],
    trust: (m: StoredMessage) => Trust = () => 'shared',
  ): Promise<void> {
    if (messages.length === 0) return;
    const pipeline = this.redis.pipeline();
    // The chat of each full write, in order: the script answers {top, lo} for each of them.
    const chats: string[] = [];
    // Shared group records written in this call: a message in a group that several accounts
    // are in arrives once per account, together. The record, its id and its chat's positions
    // are the same for all of them, so they are written once; the others only open the group
    // to their account (the 'm' step of PUT_MANY).
    const written = new Set<string>();
    let keys: string[] = [];
    let args: Array<string | number | Buffer> = [];
    let steps = 0;
    const send = () => {
      if (args.length === 0) return;
      pipeline.historyPutMany(keys.length + 1, this.keys.count, ...keys, ...args);
      keys = [];
      args = [];
      steps = 0;
    };
    for (const m of messages) {
      const own = trust(m) === 'own';
      const chat = chatOf(m, own ? 'own' : 'shared');
      if (m.message_type === 'group' && !own && written.has(`${chat}:${m.message_seq}`)) {
        keys.push(`${this.prefix}ag:${m.self_id}`, `${this.prefix}av:${m.self_id}`);
        args.push('m', m.group_id, m.message_seq);
      } else {
        this.putArgs(m, own, chat, keys, args);
        chats.push(chat);
        if (m.message_type === 'group' && !own) written.add(`${chat}:${m.message_seq}`);
      }
      if (++steps >= PUT_CHUNK) send();
    }
    send();
    const results = (await pipeline.exec()) ?? [];
    const trims = new Map<string, { lo: number; below: number }>();
    let i = 0;
    for (const [err, value] of results) {
      if (err) throw err;
      const flat = value as number[];
      for (let j = 0; j < flat.length; j += 2, i++) {
        const below = this.retention.trimBelow(flat[j]!);
        const lo = flat[j + 1]!;
        if (lo < below) trims.set(chats[i]!, { lo, below });
      }
    }
    for (const [chat, { lo, below }] of trims) await this.retention.trimChat(chat, lo, below);
  }

  /** Keys and arguments of one message's full write (PUT_GROUP or PUT_PRIVATE in PUT_MANY). */
  private putArgs(
    m: StoredMessage,
    own: boolean,
    chat: string,
    keys: string[],
    args: Array<string | number | Buffer>,
  ): void {
    const record = encodeMessage(m, this.options.compressFrom);
    const time = this.options.maxAgeS > 0 ? m.time : 0;
    if (m.message_type === 'group') {
      const bucket = Math.floor(m.message_seq / BUCKET);
      keys.push(
        `${this.prefix}${chat}:${bucket}`,
        `${this.prefix}${own ? 'ug' : 'ag'}:${m.self_id}`,
        this.index(m.message_id),
        `${this.prefix}${own ? `ut:${m.self_id}` : 'gt'}`,
        this.keys.lowerBounds,
        this.keys.ages,
        this.keys.bucketCounts,
        `${this.prefix}av:${m.self_id}`,
      );
      args.push(
        'g',
        m.group_id,
        m.message_seq,
        record,
        m.message_id,
        `${chat}:${m.message_seq}`,
        bucket,
        time,
        chat,
      );
    } else {
      const peer = peerOf(m);
      const derived = messageId(m.user_id, m.message_seq);
      keys.push(
        `${this.prefix}pc:${m.self_id}`,
        this.index(m.message_id),
        this.keys.lowerBounds,
        this.keys.ages,
        this.index(derived),
        this.keys.bucketCounts,
      );
      args.push(
        'p',
        peer,
        m.message_id,
        record,
        time,
        chat,
        this.keys.privateChat(m.self_id, peer),
        BUCKET,
        derived === m.message_id ? '' : derived,
      );
    }
  }

  async put(m: StoredMessage, trust: Trust = 'shared'): Promise<void> {
    await this.putMany([m], () => trust);
  }

  /** Deletes one bucket with its id-index entries, and its chat's with its last (retention.ts). */
  dropBucket(key: string): Promise<boolean> {
    return this.retention.dropBucket(key);
  }

  /** Age retention: drops buckets older than maxAgeS; returns how many (retention.ts). */
  sweep(now = Date.now(), limit = 200): Promise<number> {
    return this.retention.sweep(now, limit);
  }

  /** A forward's key: shared, or the account's own when an upstream answered it. */
  private forwardKey(resid: string, owner?: number): string {
    return owner === undefined ? `${this.prefix}f:${resid}` : `${this.prefix}fu:${owner}:${resid}`;
  }

  /**
   * Stores a forward's nodes: shared, or as `owner`'s own (an upstream answered them), its
   * newest MAX_FORWARDS_PER_ACCOUNT kept. A record over MAX_FORWARD_RECORD_BYTES is not kept:
   * the caller serves the nodes it read, and the next read asks the QQ side again. False when
   * not stored.
   */
  async putForward(
    resid: string,
    nodes: readonly ForwardNodeRecord[],
    owner?: number,
  ): Promise<boolean> {
    const record = encodeForward(nodes);
    if (record.length > MAX_FORWARD_RECORD_BYTES) return false;
    const key = this.forwardKey(resid, owner);
    if (owner !== undefined)
      await this.redis.historyPutOwnForward(
        key,
        `${this.prefix}fx:${owner}`,
        record,
        this.options.maxAgeS,
        Date.now(),
        MAX_FORWARDS_PER_ACCOUNT,
      );
    else if (this.options.maxAgeS > 0)
      await this.redis.set(key, record, 'EX', this.options.maxAgeS);
    else await this.redis.set(key, record);
    return true;
  }

  // --- reads ----------------------------------------------------------------------------

  async getForward(resid: string, owner?: number): Promise<ForwardNodeRecord[] | undefined> {
    const bytes = await this.redis.getBuffer(this.forwardKey(resid, owner));
    if (!bytes) return undefined;
    try {
      return decodeForward(bytes);
    } catch {
      return undefined;
    }
  }

  /** The message `id` as account `selfId` may see it (reader.ts). */
  get(selfId: number, id: number): Promise<StoredMessage | undefined> {
    return this.reader.get(selfId, id);
  }

  /** go-cqhttp's `get_group_msg_history` page (history-pages.ts). */
  groupHistory(
    selfId: number,
    group: number,
    seq: number,
    count = HISTORY_PAGE,
  ): Promise<StoredMessage[] | undefined> {
    return this.pages.groupHistory(selfId, group, seq, count);
  }

  /** Up to `count` private messages with `peer`, ending at `seq` (history-pages.ts). */
  privateHistory(
    selfId: number,
    peer: number,
    seq: number,
    count: number,
  ): Promise<StoredMessage[] | undefined> {
    return this.pages.privateHistory(selfId, peer, seq, count);
  }
}
