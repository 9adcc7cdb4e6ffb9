/**
 * What one account may hold of the HTTP API on this replica (issue 15: no tenant can pile up
 * work or starve another's accounts):
 *
 * - a token bucket per account (go-cqhttp's `rate_limit`: go-cqhttp had one per process, and a
 *   process served one account), so one tenant's waiting requests never delay another's; at
 *   most `maxWaiters` requests wait for a token, more are refused at once;
 * - at most `maxInFlight` requests unfinished: waiting for a token, being answered, or an
 *   `_async` call whose action still runs after its `async` answer.
 *
 * Per account rather than per connection: an HTTP client opens as many connections as it
 * likes, so only the account bounds what a tenant holds. Only accounts of the directory get
 * here (the request's account is checked first); buckets that are idle (nobody waiting, full
 * again, so the same as a new one) are forgotten as new accounts come.
 */
import type { RateLimit } from '@cqfleet/contracts';
import { Slots } from '@cqfleet/runtime';
import { TokenBucket } from './token-bucket.js';

export interface AccountLimitSettings {
  /** The HTTP server's `rate_limit`, applied to each account on its own. */
  rate: RateLimit;
  /** GATEWAY_HTTP_RATE_LIMIT_QUEUE: requests of one account waiting for a token. */
  maxWaiters: number;
  /** GATEWAY_HTTP_MAX_IN_FLIGHT: unfinished requests of one account. */
  maxInFlight: number;
}

export class AccountLimits {
  private readonly buckets = new Map<number, TokenBucket>();
  private readonly inFlight: Slots;
  private sweepAt = 64;

  constructor(readonly settings: AccountLimitSettings) {
    this.inFlight = new Slots(settings.maxInFlight);
  }

  /**
   * One more unfinished request of `selfId`: the function that ends it (call it once), or
   * undefined when the account already has `maxInFlight`.
   */
  enter(selfId: number): (() => void) | undefined {
    return this.inFlight.enter(selfId);
  }

  bucket(selfId: number): TokenBucket {
    let b = this.buckets.get(selfId);
    if (!b) {
      if (this.buckets.size >= this.sweepAt) {
        for (const [uin, old] of this.buckets) if (old.idle) this.buckets.delete(uin);
        this.sweepAt = Math.max(64, this.buckets.size * 2);
      }
      b = new TokenBucket(this.settings.rate, this.settings.maxWaiters);
      this.buckets.set(selfId, b);
    }
    return b;
  }
}
