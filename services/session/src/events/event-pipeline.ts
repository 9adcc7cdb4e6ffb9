/**
 * Publishes one account's events to JetStream, in order, each stored once.
 *
 * - **Batches.** Events that are queued together (a burst in a big group, sends answered
 *   together) go out as one stream message of up to `MAX_BATCH` events of one post_type
 *   (contracts' bus.ts has the format): one publish, one ack, one delivery to each consumer
 *   instead of one per event. Events from the driver (with a position) and the others
 *   (`message_sent`, an upstream's) are never in one batch: a new owner re-publishes the
 *   former from the cursor, never the latter, so its batches must start where the old
 *   owner's did (at the cursor, after a batch of driver events).
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
  batchableEventId,
  EVENT_FENCE_HEADER,
  EVENT_ID_HEADER,
  EVENT_ID_SEPARATOR,
  isUpstreamEventId,
  type Namespace,
} from '@cqfleet/contracts';
import type { OneBotEvent } from '@cqfleet/onebot';
import { backoff, counter, type Logger, sleep } from '@cqfleet/runtime';
import type { StreamAck, StreamPublisher } from '@cqfleet/runtime';

const published = counter(
  'cqfleet_events_published_total',
  'Events stored in JetStream by this session worker, by post_type',
  ['post_type'],
);
const tooLarge = counter(
  'cqfleet_events_too_large_total',
  'Events dropped because one alone is larger than the bus takes (NATS max_payload)',
);
const publishRetries = counter(
  'cqfleet_event_publish_retries_total',
  'Event publishes that failed and were retried (NATS away or slow)',
);

/** The header JetStream de-duplicates on. */
const MSG_ID_HEADER = 'Nats-Msg-Id';
/** Most events, and most body bytes, in one stream message. */
export const MAX_BATCH = 64;
/** In UTF-16 units: at most 768 KB of UTF-8, under NATS's 1 MB payload limit. */
const MAX_BATCH_CHARS = 256 * 1024;
/** Room kept for a message's headers (ids, fence) under the payload limit. */
const HEADER_ROOM = 4 * 1024;

/**
 * An event that alone is larger than the bus takes: it can never be published, so it is
 * dropped (logged and counted) instead of blocking the account's events behind it forever.
 */
class TooLarge extends Error {
  constructor(readonly bytes: number) {
    super(`event of ${bytes} bytes is larger than the bus takes`);
  }
}

export interface PipelineItem<P> {
  id: string;
  event: OneBotEvent;
  /** Opaque position reported back through onPublished (the driver cursor). */
  position?: P;
  /** Resolved when the event is in the stream. */
  done?: (err?: Error) => void;
  /** Began a message that was sent: a batch taken again after a failure starts here. */
  lead?: boolean;
}

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
    this.queue.push(item);
    this.pump();
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

  /**
   * The next message's events, taken from the queue: a run of batchable events of one
   * post_type, all with a position or all without (see the class comment), or one event.
   */
  private take(): PipelineItem<P>[] {
    const first = this.queue.shift()!;
    const batch = [first];
    if (!batchable(first)) return batch;
    const postType = first.event.post_type;
    const positioned = first.position !== undefined;
    while (batch.length < MAX_BATCH && this.queue.length > 0) {
      const next = this.queue[0]!;
      if (
        next.lead ||
        !batchable(next) ||
        next.event.post_type !== postType ||
        (next.position !== undefined) !== positioned
      )
        break;
      batch.push(this.queue.shift()!);
    }
    return batch;
  }

  private send(items: PipelineItem<P>[]): Promise<StreamAck | Error> {
    const first = items[0]!;
    let body = JSON.stringify(first.event);
    let n = 1;
    // The byte limit keeps a batch well under NATS's payload limit; what does not fit goes back.
    for (; n < items.length; n++) {
      const line = JSON.stringify(items[n]!.event);
      if (body.length + line.length >= MAX_BATCH_CHARS) break;
      body += `\n${line}`;
    }
    if (n < items.length) this.queue.unshift(...items.splice(n));
    const bytes = Buffer.from(body);
    if (n === 1 && bytes.length > this.publisher.maxPayload - HEADER_ROOM)
      return Promise.resolve(new TooLarge(bytes.length));
    return this.publisher.publish(this.ns.eventSubject(this.selfId, first.event.post_type), bytes, [
      [EVENT_ID_HEADER, items.map(i => i.id).join(EVENT_ID_SEPARATOR)],
      [MSG_ID_HEADER, first.id], // JetStream's de-duplication key
      [EVENT_FENCE_HEADER, String(this.fence.value)],
    ]);
  }

  /** Marks events stored (or dropped): counted, the cursor moved, their waiters resolved. */
  private complete(items: PipelineItem<P>[], stored = true): void {
    for (const item of items) {
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
        const items = this.take();
        this.inflight.push({ items, ack: this.send(items) });
      }
      if (this.inflight.length === 0) continue;
      const head = this.inflight[0]!;
      let result = await head.ack;
      if (this.stopped) return;
      if (result instanceof TooLarge) {
        // Nothing went out; the events behind it go on (the cursor passes it: a new owner
        // would only drop it again).
        this.inflight.shift();
        tooLarge.inc();
        this.log.error(
          { selfId: this.selfId, id: head.items[0]!.id, bytes: result.bytes },
          'event larger than the bus takes; dropped',
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

/**
 * Events whose id can be listed in a batch's header travel in batches; an upstream's go
 * alone: during a hand-over two connections may see the same frame, and only a message of
 * its own lets the stream drop the second copy (upstream/events.ts).
 */
function batchable(item: PipelineItem<unknown>): boolean {
  return batchableEventId(item.id) && !isUpstreamEventId(item.id);
}
