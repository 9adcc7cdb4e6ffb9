/**
 * Publishes one account's events to JetStream, in order, exactly once.
 *
 * - Each event carries its stable id as `Nats-Msg-Id`, so JetStream drops a second publish of
 *   the same event (a re-publish after a failure or by a worker that took the account over).
 * - Up to `window` publishes are in flight; acks are awaited in order. A failed publish is
 *   retried with back-off, and everything behind it waits, so the stream keeps the account's
 *   order and nothing is skipped while NATS is away.
 * - `onPublished` reports the highest position published without a gap; the account stores it
 *   as its cursor, which is where a new owner resumes.
 * - Nothing is published while `fence.holds()` is false (the lease may have lapsed, e.g. after
 *   the process was paused): publishing waits until the lease is renewed, or the account is
 *   stopped because it was lost. Every event carries the lease's fence (`Cqfleet-Fence`).
 */
import { EVENT_FENCE_HEADER, EVENT_ID_HEADER, type Namespace } from '@cqfleet/contracts';
import type { OneBotEvent } from '@cqfleet/onebot';
import { backoff, counter, type Logger, sleep } from '@cqfleet/runtime';
import type { StreamAck, StreamPublisher } from '@cqfleet/runtime';

const published = counter(
  'cqfleet_events_published_total',
  'Events stored in JetStream by this session worker, by post_type',
  ['post_type'],
);
const publishRetries = counter(
  'cqfleet_event_publish_retries_total',
  'Event publishes that failed and were retried (NATS away or slow)',
);

/** The header JetStream de-duplicates on. */
const MSG_ID_HEADER = 'Nats-Msg-Id';

export interface PipelineItem<P> {
  id: string;
  event: OneBotEvent;
  /** Opaque position reported back through onPublished (the driver cursor). */
  position?: P;
  /** Resolved when the event is in the stream. */
  done?: (err?: Error) => void;
}

export class EventPipeline<P> {
  private readonly queue: PipelineItem<P>[] = [];
  private inflight: Array<{ item: PipelineItem<P>; ack: Promise<StreamAck | Error> }> = [];
  private pumping = false;
  private stopped = false;
  private idle: Array<() => void> = [];
  published = 0;

  constructor(
    private readonly publisher: StreamPublisher,
    private readonly ns: Namespace,
    private readonly selfId: number,
    private readonly log: Logger,
    private readonly onPublished: (position: P) => void,
    private readonly fence: { value: number; holds(): boolean },
    private readonly window = 64,
  ) {}

  /** Queues an event; returns a promise that resolves once it is stored in the stream. */
  push(item: Omit<PipelineItem<P>, 'done'>): Promise<void> {
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
    return this.queue.length + this.inflight.length;
  }

  /** Resolves when everything queued so far is published (or the pipeline is stopped). */
  drained(): Promise<void> {
    if (this.pending === 0 || this.stopped) return Promise.resolve();
    return new Promise(resolve => this.idle.push(resolve));
  }

  /** Stops publishing; queued events are abandoned (the next owner re-reads them). */
  stop(): void {
    this.stopped = true;
    const abandoned = [...this.inflight.map(f => f.item), ...this.queue.splice(0)];
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

  private send(item: PipelineItem<P>): Promise<StreamAck | Error> {
    return this.publisher.publish(
      this.ns.eventSubject(this.selfId, item.event.post_type),
      Buffer.from(JSON.stringify(item.event)),
      [
        [EVENT_ID_HEADER, item.id],
        [MSG_ID_HEADER, item.id], // JetStream's de-duplication key
        [EVENT_FENCE_HEADER, String(this.fence.value)],
      ],
    );
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped && (this.queue.length > 0 || this.inflight.length > 0)) {
      if (this.inflight.length === 0 && !this.fence.holds()) {
        await sleep(50);
        continue;
      }
      while (this.inflight.length < this.window && this.queue.length > 0 && this.fence.holds()) {
        const item = this.queue.shift()!;
        this.inflight.push({ item, ack: this.send(item) });
      }
      const head = this.inflight[0]!;
      const result = await head.ack;
      if (this.stopped) return;
      if (result instanceof Error) {
        // Wait for the rest of the window, then publish again from the failed event on.
        // Events after it that did get stored are dropped by JetStream as duplicates.
        failures++;
        publishRetries.inc();
        this.log.warn(
          { err: result.message, selfId: this.selfId, failures },
          'event publish failed, retrying',
        );
        await Promise.all(this.inflight.map(f => f.ack));
        this.queue.unshift(...this.inflight.map(f => f.item));
        this.inflight = [];
        await sleep(backoff(failures, 100, 5_000));
        continue;
      }
      failures = 0;
      this.inflight.shift();
      this.published++;
      published.inc({ post_type: head.item.event.post_type });
      if (head.item.position !== undefined) this.onPublished(head.item.position);
      head.item.done?.();
    }
    for (const resolve of this.idle.splice(0)) resolve();
  }
}
