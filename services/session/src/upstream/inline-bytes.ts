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

/** Content (base64 characters) one account's upstream actions hold at once, at least. */
export const INLINE_BYTES_PER_ACCOUNT = 256 * 1024 * 1024;
/** Content all accounts' upstream actions hold at once in one worker. */
export const INLINE_BYTES_PER_WORKER = 1024 * 1024 * 1024;

export class InlineBytes {
  private readonly held = new Map<number, number>();
  private total = 0;

  /** `perAccount` is raised to one action's bound, so one action always fits. */
  constructor(
    private readonly perAccount: number,
    private readonly perWorker: number,
  ) {}

  /** Takes `n` for `uin`; false, taking nothing, past the account's or the worker's bound. */
  take(uin: number, n: number): boolean {
    const mine = this.held.get(uin) ?? 0;
    if (mine + n > this.perAccount || this.total + n > this.perWorker) return false;
    this.held.set(uin, mine + n);
    this.total += n;
    return true;
  }

  give(uin: number, n: number): void {
    if (n <= 0) return;
    const left = (this.held.get(uin) ?? 0) - n;
    if (left > 0) this.held.set(uin, left);
    else this.held.delete(uin);
    this.total = Math.max(0, this.total - n);
  }

  /** What `uin`'s actions hold now (tests, metrics). */
  heldBy(uin: number): number {
    return this.held.get(uin) ?? 0;
  }
}
