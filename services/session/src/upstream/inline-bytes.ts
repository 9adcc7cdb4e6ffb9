/**
 * What media content made for upstream actions (media-inline.ts) may hold in a worker's memory
 * at once. One action's content is bounded (`upstreamMaxInlineBytes`, under the upstream's
 * frame cap), and an account's calls in flight by count (SESSION_MAX_IN_FLIGHT_PER_ACCOUNT),
 * but together that is thousands × tens of MiB: an account sending many big images at once
 * would run the worker — every tenant's accounts on it — out of memory. So the content of one
 * account's actions is bounded together, and so is the worker's, from the moment it is made
 * until the upstream has been asked (forward.ts gives it back). Past either, the action fails
 * RATE_LIMIT_QUEUE_FULL at once: the caller may try again when the earlier sends are done.
 */
import { Budget } from '@cqfleet/runtime';

/** Content (base64 characters) one account's upstream actions hold at once, at least. */
export const INLINE_BYTES_PER_ACCOUNT = 256 * 1024 * 1024;
/** Content all accounts' upstream actions hold at once in one worker. */
export const INLINE_BYTES_PER_WORKER = 1024 * 1024 * 1024;

export class InlineBytes {
  private readonly accounts: Budget<number>;
  private readonly worker: Budget<'all'>;

  /** `perAccount` at least one action's bound (actions/executor.ts), so one action always fits. */
  constructor(perAccount: number, perWorker: number) {
    this.accounts = new Budget(perAccount);
    this.worker = new Budget(perWorker);
  }

  /** Takes `n` for `uin`; false, taking nothing, past the account's or the worker's bound. */
  take(uin: number, n: number): boolean {
    if (!this.accounts.take(uin, n)) return false;
    if (this.worker.take('all', n)) return true;
    this.accounts.give(uin, n);
    return false;
  }

  give(uin: number, n: number): void {
    if (n <= 0) return;
    this.accounts.give(uin, n);
    this.worker.give('all', n);
  }

  /** What `uin`'s actions hold now (tests, metrics). */
  heldBy(uin: number): number {
    return this.accounts.heldBy(uin);
  }
}
