/**
 * go-cqhttp's rate limit (reference §6): a token bucket of `bucket` tokens refilled at
 * `frequency` per second; every action waits for a token (delayed, never rejected); `bucket: 0`
 * means no limit. One bucket per HTTP server and per reverse-WS client, a new one per
 * forward-WS connection.
 */
import type { RateLimit } from '@cqfleet/contracts';

export class TokenBucket {
  private tokens: number;
  private last = Date.now();
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly rate: RateLimit) {
    this.tokens = rate.bucket;
  }

  get limited(): boolean {
    return this.rate.enabled && this.rate.bucket > 0;
  }

  /** Resolves when the caller may go; callers go in arrival order. */
  take(): Promise<void> {
    if (!this.limited) return Promise.resolve();
    const turn = this.chain.then(() => this.wait());
    this.chain = turn.catch(() => undefined);
    return turn;
  }

  private async wait(): Promise<void> {
    for (;;) {
      const now = Date.now();
      this.tokens = Math.min(
        this.rate.bucket,
        this.tokens + ((now - this.last) / 1000) * this.rate.frequency,
      );
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await new Promise(r =>
        setTimeout(r, Math.ceil(((1 - this.tokens) / this.rate.frequency) * 1000)),
      );
    }
  }
}

export function bucketFor(rate: RateLimit): TokenBucket {
  return new TokenBucket(rate);
}
