/**
 * How many messages history keeps, for the operator console: every `everyMs` each replica
 * writes a `HistorySize` to `Namespace.historySizeKey`, expiring after four rounds. The number
 * is the store's count, which its scripts keep as records are added and dropped
 * (@cqfleet/history-store scripts.ts). A store without a count — written before there was one,
 * or whose count was lost — is counted once by a scan of its bucket hashes, which sets it.
 *
 * The scan walks the whole keyspace (SCAN cannot visit one prefix only): 435k keys on a shared
 * Redis took about 0.3 s of Redis time, which every round used to cost. Failures are logged
 * and retried on the next round; the loop never throws.
 */
import { type HistorySize, type Namespace } from '@cqfleet/contracts';
import type { MessageStore } from '@cqfleet/history-store';
import { type Logger, type Redis, sleep } from '@cqfleet/runtime';

/** Bucket hashes only: `g:<group>:<b>`, `u:<self>:<group>:<b>`, `p:<self>:<peer>:<b>`. */
const BUCKET = /^[gup]:/;
/**
 * Keys one SCAN call visits. Small, so that no call holds Redis long (a call matching 1,000
 * keys took 1.5 ms, which events being stored waited behind); one scan of the namespace's
 * keys, its buckets picked here, rather than one scan of the whole keyspace per pattern.
 */
const SCAN_COUNT = 250;

export class SizeReporter {
  private readonly abort = new AbortController();
  private loop?: Promise<void>;

  constructor(
    private readonly redis: Redis,
    private readonly store: MessageStore,
    private readonly ns: Namespace,
    private readonly everyMs: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  /** Writes the kept messages' count, counting them first when the store has no count. */
  async report(): Promise<HistorySize> {
    let messages = await this.store.count();
    if (messages === undefined) {
      const scanned = await this.scan();
      if (await this.store.seedCount(scanned)) {
        this.log.info({ messages: scanned }, 'history message count set from a scan');
        messages = scanned;
      } else messages = (await this.store.count()) ?? scanned;
    }
    const size: HistorySize = { messages, at: Date.now() };
    await this.redis.set(
      this.ns.historySizeKey,
      JSON.stringify(size),
      'PX',
      Math.max(4 * this.everyMs, 10_000),
    );
    return size;
  }

  /** The records in every bucket hash of the namespace, by one scan of the keyspace. */
  private async scan(): Promise<number> {
    let messages = 0;
    const prefix = this.ns.historyPrefix;
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(
        cursor,
        'MATCH',
        `${prefix}*`,
        'COUNT',
        SCAN_COUNT,
      );
      cursor = next;
      const buckets = keys.filter(k => BUCKET.test(k.slice(prefix.length)));
      if (buckets.length === 0) continue;
      const pipeline = this.redis.pipeline();
      for (const key of buckets) pipeline.hlen(key);
      for (const [err, n] of (await pipeline.exec()) ?? [])
        if (!err && typeof n === 'number') messages += n;
    } while (cursor !== '0');
    return messages;
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        await this.report();
      } catch (err) {
        this.log.warn({ err }, 'history size report failed; will retry');
      }
      await sleep(this.everyMs, this.abort.signal).catch(() => undefined);
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }
}
