/**
 * HTTP long polling (reference §3.6, `get_updates`): when enabled, each account's events are
 * queued from the first `get_updates` for it (go-cqhttp queues from start-up; a cluster
 * gateway cannot know which accounts will be polled). At most `maxQueue` events and
 * `maxQueueBytes` of them (as the event frames' bytes) are kept, the oldest dropped first: an
 * account's events are as large as its upstream makes them, so a count alone held gigabytes.
 *
 * A queue nobody has polled for `idleMs` is dropped (its subscription with it; the next poll
 * starts a new one) at its account's next event, or by the sweep any poll makes now and then
 * (an account gone quiet has no next event): a client that polled once and went kept its
 * account's queue, and the subscription feeding it, until the gateway stopped.
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
  /** The bytes of each queued event's frame, in the same order. */
  sizes: number[];
  bytes: number;
  waiters: Set<() => void>;
  /** When a poll last took from it or began waiting on it. */
  polledAt: number;
  unsubscribe: () => void;
}

export interface LongPollLimits {
  /** GATEWAY_LONG_POLLING_MAX_QUEUE: events kept per account; 0 keeps all. */
  maxQueue: number;
  /** GATEWAY_LONG_POLLING_MAX_QUEUE_BYTES: their frames' bytes kept per account. */
  maxQueueBytes: number;
  /** GATEWAY_LONG_POLLING_MAX_WAITERS: polls of one account waiting at once. */
  maxWaiters: number;
  /** GATEWAY_LONG_POLLING_IDLE_MS: a queue not polled this long is dropped. */
  idleMs: number;
}

export class LongPoll {
  private readonly queues = new Map<number, Queue>();
  private sweptAt = Date.now();

  constructor(
    private readonly hub: Pick<EventHub, 'subscribe'>,
    private readonly format: MessageFormat,
    private readonly limits: LongPollLimits,
  ) {}

  private queue(selfId: number): Queue {
    const existing = this.queues.get(selfId);
    if (existing) return existing;
    const q: Queue = {
      events: [],
      sizes: [],
      bytes: 0,
      waiters: new Set(),
      polledAt: Date.now(),
      unsubscribe: () => undefined,
    };
    this.queues.set(selfId, q);
    q.unsubscribe = this.hub.subscribe(selfId, event => {
      if (this.idle(q, Date.now())) return this.drop(selfId, q);
      const size = event.frame(this.format).byteLength;
      q.events.push(event.view(this.format));
      q.sizes.push(size);
      q.bytes += size;
      const { maxQueue, maxQueueBytes } = this.limits;
      // The newest event is kept even alone past the byte bound: a poll always gets it.
      while (
        q.events.length > 1 &&
        ((maxQueue > 0 && q.events.length > maxQueue) || q.bytes > maxQueueBytes)
      ) {
        q.events.shift();
        q.bytes -= q.sizes.shift()!;
      }
      for (const wake of q.waiters) wake();
    });
    return q;
  }

  private idle(q: Queue, now: number): boolean {
    return q.waiters.size === 0 && now - q.polledAt > this.limits.idleMs;
  }

  private drop(selfId: number, q: Queue): void {
    q.unsubscribe();
    this.queues.delete(selfId);
  }

  /** Drops every idle queue; at most ten times per idle period, from a poll. */
  private sweep(now: number): void {
    if (now - this.sweptAt < this.limits.idleMs / 10) return;
    this.sweptAt = now;
    for (const [selfId, q] of this.queues) if (this.idle(q, now)) this.drop(selfId, q);
  }

  /** Polls of `selfId` waiting now. */
  waiting(selfId: number): number {
    return this.queues.get(selfId)?.waiters.size ?? 0;
  }

  /** Events of `selfId` queued now, and their bytes (undefined: no queue). */
  queued(selfId: number): { events: number; bytes: number } | undefined {
    const q = this.queues.get(selfId);
    return q && { events: q.events.length, bytes: q.bytes };
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
    this.sweep(Date.now());
    const q = this.queue(selfId);
    q.polledAt = Date.now();
    if (q.events.length === 0) {
      if (signal?.aborted) return [];
      const { maxWaiters } = this.limits;
      if (q.waiters.size >= maxWaiters) {
        countRefusal('long_poll_waiters_full');
        throw new OneBotError(
          'RATE_LIMIT_QUEUE_FULL',
          `账号 ${selfId} 等待中的 get_updates 已达上限 (${maxWaiters}), 请稍后再试`,
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
      q.polledAt = Date.now();
      if (signal?.aborted) return [];
    }
    const n = limit > 0 ? Math.min(limit, q.events.length) : q.events.length;
    for (const size of q.sizes.splice(0, n)) q.bytes -= size;
    return q.events.splice(0, n);
  }

  close(): void {
    for (const q of this.queues.values()) {
      q.unsubscribe();
      for (const wake of q.waiters) wake();
    }
    this.queues.clear();
  }
}
