/**
 * Age retention in the background: every `everyMs` the store drops buckets whose newest
 * message is older than the configured age, a bounded number at a time, found through the
 * `ages` sorted set rather than a scan of the keyspace. Count retention needs no loop: the
 * store trims a chat when a write takes it over its limit. Failures are logged and retried on
 * the next round; the loop never throws.
 */
import { type Logger, sleep } from '@cqfleet/runtime';
import type { MessageStore } from '@cqfleet/history-store';

export class RetentionSweeper {
  private readonly abort = new AbortController();
  private loop?: Promise<void>;
  dropped = 0;

  constructor(
    private readonly store: MessageStore,
    private readonly everyMs: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.store.options.maxAgeS <= 0) return;
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        // Drain what is due, a batch at a time, then wait for the next round.
        for (let n = await this.store.sweep(); n > 0; n = await this.store.sweep())
          this.dropped += n;
      } catch (err) {
        this.log.warn({ err }, 'retention sweep failed; will retry');
      }
      await sleep(this.everyMs, this.abort.signal).catch(() => undefined);
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }
}
