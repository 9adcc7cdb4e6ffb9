/**
 * Publishes one account's events to JetStream, in order, each stored once.
 *
 * - **Batches.** Events that are queued together (a burst in a big group, sends answered
 *   together) go out as one stream message of up to `MAX_BATCH` events of one post_type
 *   (batches.ts cuts them; contracts' bus.ts has the format): one publish, one ack, one
 *   delivery to each consumer instead of one per event. Events from the driver (with a
 *   position) and the others (`message_sent`, an upstream's) are never in one batch: a new
 *   owner re-publishes the former from the cursor, never the latter, so its batches must
 *   start where the old owner's did (at the cursor, after a batch of driver events).
 * - **Each event stored once.** A message carries its first event's id as `Nats-Msg-Id`, so
 *   JetStream drops a second publish that starts at the same event: a retry after a lost ack,
 *   or a worker that took the account over and re-publishes from the cursor. The second time
 *   the events may be cut into batches differently, so a duplicate is looked up
 *   (`storedIds`): the events it holds count as stored, the rest of this batch is published
 *   again from there, and those of its events still to come are skipped when they arrive. While
 *   this can happen (from the start, and after a failure, until a publish is new to the
 *   stream) one batch is in flight at a time, so nothing can overtake what is published again.
 * - **Order.** Up to `window` publishes are in flight; acks are awaited in order. A failed
 *   publish is retried with back-off and everything behind it waits, so the stream keeps the
 *   account's order and nothing is skipped while NATS is away.
 * - `onPublished` reports the highest position published without a gap; the account stores it
 *   as its cursor, which is where a new owner resumes.
 * - Nothing is published while `fence.holds()` is false (the lease may have lapsed, e.g. after
 *   the process was paused): publishing waits until the lease is renewed, or the account is
 *   stopped because it was lost. Every message carries the lease's fence (`Cqfleet-Fence`).
 */
import {
  EVENT_FENCE_HEADER,
  EVENT_ID_HEADER,
  EVENT_ID_SEPARATOR,
  type Namespace,
} from '@cqfleet/contracts';
import { backoff, counter, type Logger, sleep } from '@cqfleet/runtime';
import type { StreamAck, StreamPublisher } from '@cqfleet/runtime';
import {
  batchable,
  batchBody,
  type PipelineItem,
  takeBatch,
  TooLarge,
  Unserialisable,
} from './batches.js';

export type { PipelineItem } from './batches.js';

const published = counter(
  'cqfleet_events_published_total',
  'Events stored in JetStream by this session worker, by post_type',
  ['post_type'],
);
const tooLarge = counter(
  'cqfleet_events_too_large_total',
  'Events dropped because one alone is larger than the bus takes (NATS max_payload)',
);
const unserialisable = counter(
  'cqfleet_events_unserialisable_total',
  'Events dropped because JSON.stringify fails on them (a BigInt, a cycle, too deep)',
);
const publishRetries = counter(
  'cqfleet_event_publish_retries_total',
  'Event publishes that failed and were retried (NATS away or slow)',
);

/** The header JetStream de-duplicates on. */
const MSG_ID_HEADER = 'Nats-Msg-Id';

/** The event ids held by the stream message at `seq` ([] when it is gone). */
export type StoredIds = (seq: number) => Promise<string[]>;

interface Inflight<P> {
  items: PipelineItem<P>[];
  ack: Promise<StreamAck | Error>;
}

export class EventPipeline<P> {
  private readonly queue: PipelineItem<P>[] = [];
  private inflight: Inflight<P>[] = [];
  private pumping = false;
  private stopped = false;
  private idle: Array<() => void> = [];
  /** A publish may meet events stored before (see the class comment): one batch at a time. */
  private recovering = true;
  /** Ids of events a looked-up duplicate held that have not been queued yet: skipped. */
  private readonly storedAhead = new Set<string>();
  /** Bytes of the frames of the events queued or in flight that said how long they were. */
  private backlogBytes = 0;
  published = 0;

  constructor(
    private readonly publisher: StreamPublisher,
    private readonly ns: Namespace,
    private readonly selfId: number,
    private readonly log: Logger,
    private readonly onPublished: (position: P) => void,
    private readonly fence: { value: number; holds(): boolean },
    private readonly storedIds: StoredIds,
    private readonly window = 64,
  ) {}

  /** Queues an event; returns a promise that resolves once it is stored in the stream. */
  push(item: Omit<PipelineItem<P>, 'done'>): Promise<void> {
    if (this.stopped) return Promise.reject(new Error('event pipeline stopped'));
    return new Promise((resolve, reject) => {
      this.queue.push({ ...item, done: err => (err ? reject(err) : resolve()) });
      this.pump();
    });
  }

  /** Queues an event whose completion nobody awaits (driver events). */
  enqueue(item: Omit<PipelineItem<P>, 'done'>): void {
    this.backlogBytes += item.bytes ?? 0;
    this.queue.push(item);
    this.pump();
  }

  /**
   * Queues an event of a source that cannot be paused or replayed (an upstream implementation)
   * unless the account's backlog already holds `limit.events` events or `limit.bytes` bytes of
   * such frames: false, and the event is not queued. An upstream sending faster than the
   * stream takes would otherwise grow the worker's memory without bound, for every account it
   * owns.
   */
  offer(item: Omit<PipelineItem<P>, 'done'>, limit: { events: number; bytes: number }): boolean {
    if (this.pending >= limit.events || this.backlogBytes + (item.bytes ?? 0) > limit.bytes)
      return false;
    this.enqueue(item);
    return true;
  }

  get pending(): number {
    return this.queue.length + this.inflight.reduce((n, f) => n + f.items.length, 0);
  }

  /** Resolves when everything queued so far is published (or the pipeline is stopped). */
  drained(): Promise<void> {
    if (this.pending === 0 || this.stopped) return Promise.resolve();
    return new Promise(resolve => this.idle.push(resolve));
  }

  /** Stops publishing; queued events are abandoned (the next owner re-reads them). */
  stop(): void {
    this.stopped = true;
    const abandoned = [...this.inflight.flatMap(f => f.items), ...this.queue.splice(0)];
    for (const item of abandoned) item.done?.(new Error('event pipeline stopped'));
    this.inflight = [];
    this.backlogBytes = 0;
    for (const resolve of this.idle.splice(0)) resolve();
  }

  private pump(): void {
    if (this.pumping || this.stopped) return;
    this.pumping = true;
    this.run()
      .catch((err: unknown) =>
        this.log.error({ err, selfId: this.selfId }, 'event pipeline failed'),
      )
      .finally(() => {
        this.pumping = false;
        if (this.queue.length > 0 && !this.stopped) this.pump();
      });
  }

  private send(items: PipelineItem<P>[]): Promise<StreamAck | Error> {
    const first = items[0]!;
    const cut = batchBody(items, this.publisher.maxPayload);
    // What did not fit goes back to the front of the queue (all but a first event that is
    // dropped: TooLarge or Unserialisable).
    const count = cut instanceof Error ? 1 : cut.count;
    if (count < items.length) this.queue.unshift(...items.splice(count));
    if (cut instanceof Error) return Promise.resolve(cut);
    return this.publisher.publish(
      this.ns.eventSubject(this.selfId, first.event.post_type),
      cut.body,
      [
        [EVENT_ID_HEADER, items.map(i => i.id).join(EVENT_ID_SEPARATOR)],
        [MSG_ID_HEADER, first.id], // JetStream's de-duplication key
        [EVENT_FENCE_HEADER, String(this.fence.value)],
      ],
    );
  }

  /** Marks events stored (or dropped): counted, the cursor moved, their waiters resolved. */
  private complete(items: PipelineItem<P>[], stored = true): void {
    for (const item of items) {
      this.backlogBytes -= item.bytes ?? 0;
      if (stored) {
        this.published++;
        published.inc({ post_type: item.event.post_type });
      }
      // Inside a stored message whose last events are still to come, the cursor waits: it
      // only ever names the end of a stored message, where a new owner's batches start.
      if (item.position !== undefined && this.storedAhead.size === 0)
        this.onPublished(item.position);
      item.done?.();
    }
  }

  /** Completes the queued events a looked-up duplicate already holds. */
  private skipStored(): void {
    while (this.queue.length > 0 && this.storedAhead.delete(this.queue[0]!.id))
      this.complete([this.queue.shift()!]);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped && (this.queue.length > 0 || this.inflight.length > 0)) {
      if (this.inflight.length === 0 && !this.fence.holds()) {
        await sleep(50);
        continue;
      }
      const window = this.recovering ? 1 : this.window;
      while (this.inflight.length < window && this.fence.holds()) {
        this.skipStored();
        if (this.queue.length === 0) break;
        const items = takeBatch(this.queue);
        this.inflight.push({ items, ack: this.send(items) });
      }
      if (this.inflight.length === 0) continue;
      const head = this.inflight[0]!;
      let result = await head.ack;
      if (this.stopped) return;
      if (result instanceof TooLarge || result instanceof Unserialisable) {
        // Nothing went out, and it never can: only this event, taken alone (batchBody cut
        // the others off before it). Dropped, and the events behind it go on (the cursor
        // passes it: a new owner would only drop it again).
        this.inflight.shift();
        (result instanceof TooLarge ? tooLarge : unserialisable).inc();
        this.log.error(
          { selfId: this.selfId, id: head.items[0]!.id, reason: result.message },
          'event cannot be published; dropped',
        );
        this.complete(head.items, false);
        continue;
      }
      let rest: PipelineItem<P>[] = [];
      if (!(result instanceof Error) && result.duplicate && batchable(head.items[0]!)) {
        const stored = await this.storedIds(result.seq).catch((err: unknown) =>
          err instanceof Error ? err : new Error(String(err)),
        );
        if (this.stopped) return;
        if (stored instanceof Error) result = stored;
        else rest = this.unstored(head.items, stored);
      }
      if (result instanceof Error || (rest.length > 0 && this.inflight.length > 1)) {
        // Wait for the rest of the window, then publish again from the failed event on (or
        // from the first event a duplicate did not hold). Events after it that did get
        // stored are found again as duplicates.
        failures++;
        publishRetries.inc();
        this.log.warn(
          {
            err: result instanceof Error ? result.message : 'duplicate cut differently',
            selfId: this.selfId,
            failures,
          },
          'event publish failed, retrying',
        );
        await Promise.all(this.inflight.map(f => f.ack));
        if (this.stopped) return;
        const again = result instanceof Error ? head.items : rest;
        if (!(result instanceof Error)) this.complete(head.items.slice(0, -rest.length));
        // Taken again as they were cut (or finer): a batch that did get stored is then
        // found again as a duplicate, never hidden inside a new message with another id.
        for (const batch of [again, ...this.inflight.slice(1).map(f => f.items)])
          if (batch[0]) batch[0].lead = true;
        this.queue.unshift(...again, ...this.inflight.slice(1).flatMap(f => f.items));
        this.inflight = [];
        this.recovering = true;
        await sleep(backoff(failures, 100, 5_000));
        continue;
      }
      failures = 0;
      this.inflight.shift();
      if (!result.duplicate) {
        // Only new driver events end a recovery: they are what a new owner re-publishes.
        const driver = head.items[0]!.position !== undefined;
        if (driver) this.storedAhead.clear();
        if (driver || (this.storedAhead.size === 0 && !this.positionedPending()))
          this.recovering = false;
      }
      this.complete(rest.length > 0 ? head.items.slice(0, -rest.length) : head.items);
      if (rest.length > 0) this.queue.unshift(...rest);
    }
    for (const resolve of this.idle.splice(0)) resolve();
  }

  private positionedPending(): boolean {
    return (
      this.queue.some(i => i.position !== undefined) ||
      this.inflight.some(f => f.items[0]!.position !== undefined)
    );
  }

  /**
   * The events of `items` (published as a duplicate of the message holding `stored`) that the
   * stored message does not hold: from the first one missing on, all of them (publishing one
   * twice is safer than skipping one). Ids it holds beyond `items` are remembered as stored.
   */
  private unstored(items: PipelineItem<P>[], stored: string[]): PipelineItem<P>[] {
    // A message gone from the stream says nothing more than that it began with this event.
    const held = new Set(stored.length > 0 ? stored : [items[0]!.id]);
    // A message that does not even hold the first (it should) counts as holding that one.
    const first = items.findIndex(i => !held.has(i.id));
    const missing = first === 0 ? 1 : first;
    for (const i of items) held.delete(i.id);
    if (missing < 0) for (const id of held) this.storedAhead.add(id);
    return missing < 0 ? [] : items.slice(missing);
  }
}
