/**
 * go-cqhttp's rate limit (reference §6): a token bucket of `bucket` tokens refilled at
 * `frequency` per second; every action waits for a token, in arrival order; `bucket: 0` means
 * no limit. A bucket per account for the HTTP API (go-cqhttp had one per process, which served
 * one account), one per reverse-WS client, a new one per forward-WS connection.
 *
 * Unlike go-cqhttp, the queue of waiters can be capped (`maxWaiters`, the HTTP API's
 * GATEWAY_HTTP_RATE_LIMIT_QUEUE): past it `take` answers false at once instead of queueing, so
 * a tenant cannot park an unbounded number of requests. A waiter whose `signal` aborts (its
 * client went away) leaves the queue and gets false. One timer per bucket, only while someone
 * waits; it only hands out tokens and cannot throw.
 */
import type { RateLimit } from '@cqfleet/contracts';

export class TokenBucket {
  private tokens: number;
  private last = Date.now();
  /** Waiting callers, first come first served; each is told true (go) or false (dropped). */
  private readonly waiters: Array<(go: boolean) => void> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly rate: RateLimit,
    private readonly maxWaiters = Infinity,
  ) {
    this.tokens = rate.bucket;
  }

  get limited(): boolean {
    return this.rate.enabled && this.rate.bucket > 0;
  }

  /** Callers waiting for a token now. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** True when nobody waits and the bucket is full again: it may be forgotten. */
  get idle(): boolean {
    return this.waiters.length === 0 && this.refill() >= this.rate.bucket;
  }

  /**
   * Resolves true when the caller may go (callers go in arrival order), false at once when
   * `maxWaiters` callers already wait, or when `signal` aborts first. Never rejects.
   */
  take(signal?: AbortSignal): Promise<boolean> {
    if (!this.limited) return Promise.resolve(true);
    if (this.waiters.length === 0 && this.refill() >= 1) {
      this.tokens -= 1;
      return Promise.resolve(true);
    }
    if (this.waiters.length >= this.maxWaiters || signal?.aborted) return Promise.resolve(false);
    return new Promise<boolean>(resolve => {
      const waiter = (go: boolean) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(go);
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i < 0) return;
        this.waiters.splice(i, 1);
        if (this.waiters.length === 0) this.stopTimer();
        waiter(false);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
      this.schedule();
    });
  }

  private refill(): number {
    const now = Date.now();
    this.tokens = Math.min(
      this.rate.bucket,
      this.tokens + ((now - this.last) / 1000) * this.rate.frequency,
    );
    this.last = now;
    return this.tokens;
  }

  private schedule(): void {
    if (this.timer || this.waiters.length === 0) return;
    const ms = Math.ceil(((1 - this.refill()) / this.rate.frequency) * 1000);
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.release();
      },
      Math.max(0, ms),
    );
  }

  private release(): void {
    this.refill();
    while (this.waiters.length > 0 && this.tokens >= 1) {
      this.tokens -= 1;
      this.waiters.shift()!(true);
    }
    this.schedule();
  }

  private stopTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
