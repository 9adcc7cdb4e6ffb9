/**
 * One account's share of the media queue, from this process. The queue (BullMQ) is first come,
 * first served for every tenant, and its workers run a few jobs at a time: an account that adds
 * a thousand slow downloads would hold every other account's image sends, `get_image` and OCR
 * behind them for as long as those downloads take. So a process lets at most `perAccount` jobs
 * of one account into the queue at once; the account's further jobs wait here, in order, each
 * within its own timeout, and one that times out here never entered the queue. An account is
 * owned by one session worker, so its sends are bounded cluster-wide; media actions called
 * through several gateway replicas are bounded per replica.
 */
import { OneBotError } from '@cqfleet/onebot';

export class AccountSlots {
  private readonly held = new Map<number, number>();
  private readonly waiting = new Map<number, Array<() => void>>();

  constructor(private readonly perAccount: number) {}

  /**
   * Resolves with the function that gives the slot back (call it once) when `selfId` may add a
   * job; rejects with TIMEOUT when no slot came within `timeoutMs`, and with `signal`'s reason
   * as soon as it fires (the caller's deadline: nobody waits for the job any more). Either
   * way the caller leaves the line and takes no slot.
   */
  acquire(selfId: number, timeoutMs: number, signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const n = this.held.get(selfId) ?? 0;
    if (n < this.perAccount) {
      this.held.set(selfId, n + 1);
      return Promise.resolve(this.releaser(selfId));
    }
    return new Promise((resolve, reject) => {
      const queue = this.waiting.get(selfId) ?? [];
      this.waiting.set(selfId, queue);
      const leave = (why: unknown) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', aborted);
        const i = queue.indexOf(granted);
        if (i >= 0) queue.splice(i, 1);
        if (queue.length === 0 && this.waiting.get(selfId) === queue) this.waiting.delete(selfId);
        reject(why);
      };
      const granted = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', aborted);
        resolve(this.releaser(selfId));
      };
      const aborted = () => leave(abortReason(signal!));
      const timer = setTimeout(
        () =>
          leave(new OneBotError('TIMEOUT', `账号 ${selfId} 的媒体任务排队超过 ${timeoutMs} ms`)),
        timeoutMs,
      );
      signal?.addEventListener('abort', aborted, { once: true });
      queue.push(granted);
    });
  }

  /** Callers of `selfId` waiting for a slot in this process now. */
  waitingFor(selfId: number): number {
    return this.waiting.get(selfId)?.length ?? 0;
  }

  /** Jobs of `selfId` in the queue from this process now. */
  inQueue(selfId: number): number {
    return this.held.get(selfId) ?? 0;
  }

  private releaser(selfId: number): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const queue = this.waiting.get(selfId);
      const next = queue?.shift();
      if (queue?.length === 0) this.waiting.delete(selfId);
      if (next) return next(); // the slot passes on: as many held as before
      const left = (this.held.get(selfId) ?? 1) - 1;
      if (left > 0) this.held.set(selfId, left);
      else this.held.delete(selfId);
    };
  }
}

/** What a caller whose signal fired is rejected with: its reason, or TIMEOUT. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason instanceof Error ? signal.reason : new OneBotError('TIMEOUT');
}
