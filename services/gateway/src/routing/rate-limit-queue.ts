/**
 * `_rate_limited` calls (OneBot v11): queued, then run one per interval, in order. The caller
 * has already been answered `status: "async"`.
 *
 * One queue per account (ARCHITECTURE "Trust model": a tenant cannot starve another's
 * accounts), each with its own interval and at most `maxQueued` calls waiting: a call beyond
 * that is refused at once (the router answers RATE_LIMIT_QUEUE_FULL). A queue exists only while
 * it has calls waiting or its last call's interval is running, so idle accounts cost nothing.
 */
import type { ActionResponse } from '@cqfleet/onebot';
import type { Logger } from '@cqfleet/runtime';

type Run = () => Promise<ActionResponse>;

export class RateLimitQueues {
  private readonly queues = new Map<number, Run[]>();
  private stopped = false;

  constructor(
    private readonly intervalMs: number,
    private readonly maxQueued: number,
    private readonly log: Logger,
  ) {}

  /** Accounts with a queue right now (calls waiting or an interval running). */
  get accounts(): number {
    return this.queues.size;
  }

  /** Calls of `selfId` waiting (not counting the one running). */
  waiting(selfId: number): number {
    return this.queues.get(selfId)?.length ?? 0;
  }

  /** Queues `run` for the account; false when its queue is full (nothing queued). */
  push(selfId: number, run: Run): boolean {
    if (this.stopped) return false;
    const queue = this.queues.get(selfId);
    if (queue) {
      if (queue.length >= this.maxQueued) return false;
      queue.push(run);
      return true;
    }
    const fresh = [run];
    this.queues.set(selfId, fresh);
    this.drain(selfId, fresh).catch((err: unknown) =>
      this.log.error({ err, selfId }, 'rate-limited queue failed'),
    );
    return true;
  }

  private async drain(selfId: number, queue: Run[]): Promise<void> {
    try {
      for (let next = queue.shift(); next && !this.stopped; next = queue.shift()) {
        const result = await next().catch(() => undefined);
        if (result?.status === 'failed')
          this.log.info({ msg: result.msg, selfId }, 'rate-limited action failed');
        await new Promise(r => setTimeout(r, this.intervalMs));
      }
    } finally {
      // Gone once empty: the account's next call starts a fresh queue at once.
      if (this.queues.get(selfId) === queue) this.queues.delete(selfId);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const queue of this.queues.values()) queue.length = 0;
    this.queues.clear();
  }
}
