/**
 * The events of one (endpoint, account) delivery, from a durable JetStream consumer: whatever
 * happened while the receiver (or this replica) was away is replayed, up to the replay window;
 * events are handed over one at a time, in order, and acknowledged only once delivered. A
 * delivery that fails is tried again with back-off, holding the events behind it, until it
 * succeeds or the event leaves the replay window. A holder that stops hands its current event
 * back (nak), so a graceful hand-over to another replica delays nothing.
 */
import type { Namespace } from '@cqfleet/contracts';
import { backoff, counter, type Logger, type NatsConnection, sleep } from '@cqfleet/runtime';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type JsMsg,
} from '@nats-io/jetstream';

const NS_PER_MS = 1_000_000;

const delivered = counter(
  'cqfleet_gateway_events_delivered_total',
  'Events handed to clients, by transport',
  ['transport'],
);
const retries = counter(
  'cqfleet_gateway_delivery_retries_total',
  'Failed attempts to deliver an event to an outbound endpoint (retried), by transport',
  ['transport'],
);
const expiredTotal = counter(
  'cqfleet_gateway_events_expired_total',
  'Events dropped because they left the replay window before they could be delivered',
  ['transport'],
);
/** How long one pull waits for an event; also the longest a stop waits for the pull. */
const PULL_EXPIRES_MS = 1_000;

export interface FeedOptions {
  /** `http_post` or `ws_reverse`, for metrics. */
  kind: string;
  endpoint: string;
  selfId: number;
  replayWindowMs: number;
  /** First and longest retry delay. */
  retryMs: number;
  maxRetryMs: number;
}

/** Delivers one event; resolves true when delivered (or to be skipped), false to retry. */
export type Deliver = (msg: JsMsg) => Promise<boolean>;

export class EventFeed {
  private readonly abort = new AbortController();
  private loop?: Promise<void>;
  delivered = 0;
  expired = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly ns: Namespace,
    private readonly opts: FeedOptions,
    private readonly log: Logger,
  ) {}

  private get name(): string {
    return this.ns.deliveryConsumer(this.opts.endpoint, this.opts.selfId);
  }

  async start(deliver: Deliver): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    await jsm.consumers.info(this.ns.eventStream, this.name).catch(() =>
      jsm.consumers.add(this.ns.eventStream, {
        durable_name: this.name,
        ack_policy: AckPolicy.Explicit,
        // A new endpoint starts with what happens from now on.
        deliver_policy: DeliverPolicy.New,
        filter_subject: this.ns.accountEventSubjects(this.opts.selfId),
        max_ack_pending: 1_000,
        ack_wait: 60_000 * NS_PER_MS,
        // Unused for a day (the endpoint or account is gone): the server removes it.
        inactive_threshold: Math.max(this.opts.replayWindowMs * 2, 24 * 3600_000) * NS_PER_MS,
      }),
    );
    this.loop = this.run(deliver).catch((err: unknown) =>
      this.log.error({ err, consumer: this.name }, 'event feed stopped'),
    );
  }

  private tooOld(msg: JsMsg): boolean {
    if (this.opts.replayWindowMs <= 0) return false;
    return Date.now() - msg.info.timestampNanos / NS_PER_MS > this.opts.replayWindowMs;
  }

  private async run(deliver: Deliver): Promise<void> {
    const js = jetstream(this.nc);
    const signal = this.abort.signal;
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        const consumer = await js.consumers.get(this.ns.eventStream, this.name);
        // One message at a time, never a buffer: what this holder has not handled when it
        // stops is not pending on it (and hidden from the next holder until the ack wait).
        while (!signal.aborted) {
          const m = await consumer.next({ expires: PULL_EXPIRES_MS });
          if (!m) continue;
          attempt = 0;
          await this.handle(m, deliver);
        }
      } catch (err) {
        if (signal.aborted) return;
        this.log.warn({ err, consumer: this.name }, 'event feed interrupted; resuming');
      }
      await sleep(backoff(attempt, 200, 5_000), signal).catch(() => undefined);
    }
  }

  private async handle(m: JsMsg, deliver: Deliver): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (this.abort.signal.aborted) {
        // Handed back at once, so the next holder delivers it first, not after the ack wait.
        m.nak();
        return;
      }
      if (this.tooOld(m)) {
        this.expired++;
        expiredTotal.inc({ transport: this.opts.kind });
        m.ack();
        return;
      }
      if (await deliver(m).catch(() => false)) {
        this.delivered++;
        delivered.inc({ transport: this.opts.kind });
        m.ack();
        return;
      }
      retries.inc({ transport: this.opts.kind });
      m.working(); // still ours: do not let the server hand it to someone else meanwhile
      await sleep(
        Math.min(this.opts.maxRetryMs, this.opts.retryMs * 2 ** Math.min(attempt, 10)),
        this.abort.signal,
      ).catch(() => undefined);
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }
}
