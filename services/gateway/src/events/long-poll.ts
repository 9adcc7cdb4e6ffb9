/**
 * HTTP long polling (reference §3.6, `get_updates`): when enabled, each account's events are
 * queued from the first `get_updates` for it (go-cqhttp queues from start-up; a cluster
 * gateway cannot know which accounts will be polled). At most `maxQueue` events are kept,
 * the oldest dropped first.
 */
import type { MessageFormat } from '@cqfleet/onebot';
import type { EventHub } from './event-hub.js';

interface Queue {
  events: unknown[];
  waiters: Set<() => void>;
}

export class LongPoll {
  private readonly queues = new Map<number, Queue>();
  private readonly unsubscribes: Array<() => void> = [];

  constructor(
    private readonly hub: EventHub,
    private readonly format: MessageFormat,
    private readonly maxQueue: number,
  ) {}

  private queue(selfId: number): Queue {
    let q = this.queues.get(selfId);
    if (!q) {
      const queue: Queue = { events: [], waiters: new Set() };
      q = queue;
      this.queues.set(selfId, queue);
      this.unsubscribes.push(
        this.hub.subscribe(selfId, event => {
          queue.events.push(event.view(this.format));
          if (this.maxQueue > 0 && queue.events.length > this.maxQueue) queue.events.shift();
          for (const wake of queue.waiters) wake();
        }),
      );
    }
    return q;
  }

  /** Up to `limit` queued events (all when limit ≤ 0), waiting up to `timeoutS` (0: no limit). */
  async take(selfId: number, limit: number, timeoutS: number): Promise<unknown[]> {
    const q = this.queue(selfId);
    if (q.events.length === 0) {
      await new Promise<void>(resolve => {
        const wake = () => {
          q.waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = timeoutS > 0 ? setTimeout(wake, timeoutS * 1000) : undefined;
        q.waiters.add(wake);
      });
    }
    return q.events.splice(0, limit > 0 ? limit : q.events.length);
  }

  close(): void {
    for (const u of this.unsubscribes) u();
    for (const q of this.queues.values()) for (const wake of q.waiters) wake();
  }
}
