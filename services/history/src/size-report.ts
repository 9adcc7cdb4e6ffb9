/**
 * How many messages history keeps, for the operator console: every `everyMs` one replica's
 * worth of work (each replica does it; the result is the same) scans the bucket hashes of
 * group, upstream and private chats, sums their lengths and writes a `HistorySize` to
 * `Namespace.historySizeKey`, expiring after four rounds. A scan visits every bucket (about one
 * key per 64 messages: ~16k keys for a million messages), far too slow per request and cheap
 * twice a minute. Failures are logged and retried on the next round; the loop never throws.
 */
import { type HistorySize, type Namespace } from '@cqfleet/contracts';
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
    private readonly ns: Namespace,
    private readonly everyMs: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  /** Counts the kept messages now and writes the result. */
  async report(): Promise<HistorySize> {
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
    const size: HistorySize = { messages, at: Date.now() };
    await this.redis.set(
      this.ns.historySizeKey,
      JSON.stringify(size),
      'PX',
      Math.max(4 * this.everyMs, 10_000),
    );
    return size;
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
