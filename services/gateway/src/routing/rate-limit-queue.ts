/**
 * `_rate_limited` calls (OneBot v11): queued, then run one per interval, in order. The caller
 * has already been answered `status: "async"`.
 */
import type { ActionResponse } from '@cqfleet/onebot';
import type { Logger } from '@cqfleet/runtime';

export class RateLimitQueue {
  private readonly queue: Array<() => Promise<ActionResponse>> = [];
  private running = false;
  private stopped = false;

  constructor(
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  get length(): number {
    return this.queue.length;
  }

  push(run: () => Promise<ActionResponse>): void {
    this.queue.push(run);
    if (!this.running) void this.drain();
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (!this.stopped) {
      const next = this.queue.shift();
      if (!next) break;
      const result = await next();
      if (result.status === 'failed')
        this.log.info({ msg: result.msg }, 'rate-limited action failed');
      await new Promise(r => setTimeout(r, this.intervalMs));
    }
    this.running = false;
  }

  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
  }
}
