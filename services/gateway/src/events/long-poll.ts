/**
 * HTTP long polling (reference §3.6, `get_updates`): when enabled, each account's events are
 * queued from the first `get_updates` for it (go-cqhttp queues from start-up; a cluster
 * gateway cannot know which accounts will be polled). At most `maxQueue` events are kept,
 * the oldest dropped first.
 *
 * A waiting poll holds its client's request, response and socket. It stops waiting when its
 * caller's `signal` aborts (the HTTP request closed, the WebSocket closed), answering no events
 * and taking none from the queue (they stay for the next poll); otherwise a poll with `timeout`
 * 0 (wait forever) of a vanished client would stay until the account's next event, and then
 * take that event to nobody. At most `maxWaiters` polls of one account wait at once; past it a
 * poll is refused at once with RATE_LIMIT_QUEUE_FULL (counted `long_poll_waiters_full`).
 */
import { type MessageFormat, OneBotError } from '@cqfleet/onebot';
import { countRefusal } from '../refusals.js';
import type { EventHub } from './event-hub.js';

interface Queue {
  events: unknown[];
  waiters: Set<() => void>;
}

export class LongPoll {
  private readonly queues = new Map<number, Queue>();
  private readonly unsubscribes: Array<() => void> = [];

  constructor(
    private readonly hub: Pick<EventHub, 'subscribe'>,
    private readonly format: MessageFormat,
    private readonly maxQueue: number,
    private readonly maxWaiters = Infinity,
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

  /** Polls of `selfId` waiting now. */
  waiting(selfId: number): number {
    return this.queues.get(selfId)?.waiters.size ?? 0;
  }

  /**
   * Up to `limit` queued events (all when limit ≤ 0), waiting up to `timeoutS` (0: no limit)
   * or until `signal` aborts (then none).
   */
  async take(
    selfId: number,
    limit: number,
    timeoutS: number,
    signal?: AbortSignal,
  ): Promise<unknown[]> {
    const q = this.queue(selfId);
    if (q.events.length === 0) {
      if (signal?.aborted) return [];
      if (q.waiters.size >= this.maxWaiters) {
        countRefusal('long_poll_waiters_full');
        throw new OneBotError(
          'RATE_LIMIT_QUEUE_FULL',
          `账号 ${selfId} 等待中的 get_updates 已达上限 (${this.maxWaiters}), 请稍后再试`,
        );
      }
      await new Promise<void>(resolve => {
        const wake = () => {
          q.waiters.delete(wake);
          clearTimeout(timer);
          signal?.removeEventListener('abort', wake);
          resolve();
        };
        const timer = timeoutS > 0 ? setTimeout(wake, timeoutS * 1000) : undefined;
        signal?.addEventListener('abort', wake, { once: true });
        q.waiters.add(wake);
      });
      if (signal?.aborted) return [];
    }
    return q.events.splice(0, limit > 0 ? limit : q.events.length);
  }

  close(): void {
    for (const u of this.unsubscribes) u();
    for (const q of this.queues.values()) for (const wake of q.waiters) wake();
  }
}
