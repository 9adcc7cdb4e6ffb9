/**
 * The events of one (endpoint, account) delivery, from a durable JetStream consumer: whatever
 * happened while the receiver (or this replica) was away is replayed, up to the replay window;
 * events are handed over one at a time, in order, and acknowledged only once delivered. A
 * delivery that fails is tried again with back-off, holding the events behind it, until it
 * succeeds or the event leaves the replay window. A holder that stops hands its current event
 * back (nak), so a graceful hand-over to another replica delays nothing.
 *
 * A holder that dies cannot hand back: its event stays pending on the server for the ack
 * wait. So at most one event is ever pending (`max_ack_pending: 1`: the next holder cannot
 * be given later events first, which would break the order and leave the stuck one for later),
 * and the ack wait is short (`ackWaitMs`, the lease TTL: the stuck event is free again about
 * when the next holder's lease begins), kept from expiring under a live holder by `working()`.
 *
 * Binding the consumer, pulling, resuming after NATS or consumer errors and stopping are the
 * runtime's `DurableConsumer`; what is this delivery's own is here.
 */
import { EVENT_ID_HEADER, type Namespace, parsedEvents } from '@cqfleet/contracts';
import type { OneBotEvent } from '@cqfleet/onebot';
import {
  counter,
  DurableConsumer,
  headerValue,
  type Logger,
  type NatsConnection,
  NS_PER_MS,
  sleep,
} from '@cqfleet/runtime';
import { AckPolicy, DeliverPolicy, type JsMsg } from '@nats-io/jetstream';

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

export interface FeedOptions {
  /** `http_post` or `ws_reverse`, for metrics. */
  kind: string;
  endpoint: string;
  selfId: number;
  replayWindowMs: number;
  /** How long an event handed to a dead holder stays pending on the server. */
  ackWaitMs: number;
  /** First and longest retry delay. */
  retryMs: number;
  maxRetryMs: number;
}

/** One event of the stream, parsed, with its id for the receiver's de-duplication. */
export interface FeedEvent {
  id: string | undefined;
  event: OneBotEvent;
}

/** Delivers one event; resolves true when delivered (or to be skipped), false to retry. */
export type Deliver = (event: FeedEvent) => Promise<boolean>;

export class EventFeed {
  private readonly consumer: DurableConsumer;
  delivered = 0;
  expired = 0;

  constructor(
    nc: NatsConnection,
    ns: Namespace,
    private readonly opts: FeedOptions,
    private readonly log: Logger,
  ) {
    this.consumer = new DurableConsumer(
      nc,
      {
        stream: ns.eventStream,
        name: ns.deliveryConsumer(opts.endpoint, opts.selfId),
        config: {
          ack_policy: AckPolicy.Explicit,
          // A new endpoint starts with what happens from now on.
          deliver_policy: DeliverPolicy.New,
          filter_subject: ns.accountEventSubjects(opts.selfId),
          max_ack_pending: 1,
          ack_wait: opts.ackWaitMs * NS_PER_MS,
          // Unused for a day (the endpoint or account is gone): the server removes it.
          inactive_threshold: Math.max(opts.replayWindowMs * 2, 24 * 3600_000) * NS_PER_MS,
        },
        // One event at a time, never a buffer (see MessageHandler); a pull waits at most 1 s,
        // which is also the longest a stop waits for it.
        pullExpiresMs: 1_000,
      },
      log,
    );
  }

  /** Binds (or creates) the delivery's consumer and delivers from it until `stop()`. */
  start(deliver: Deliver): Promise<void> {
    return this.consumer.start({ eachMessage: (m, signal) => this.handle(m, deliver, signal) });
  }

  private tooOld(msg: JsMsg): boolean {
    if (this.opts.replayWindowMs <= 0) return false;
    return Date.now() - msg.info.timestampNanos / NS_PER_MS > this.opts.replayWindowMs;
  }

  private async handle(m: JsMsg, deliver: Deliver, signal: AbortSignal): Promise<void> {
    // Still ours while a slow receiver or the retries take longer than the ack wait.
    const keep = setInterval(() => working(m), Math.max(100, this.opts.ackWaitMs / 3));
    try {
      await this.attempts(m, this.eventsOf(m), deliver, signal);
    } finally {
      clearInterval(keep);
    }
  }

  /** The message's events (several for a burst: contracts' bus.ts); what does not parse is skipped. */
  private eventsOf(m: JsMsg): FeedEvent[] {
    const parsed = parsedEvents(m.data, headerValue(m, EVENT_ID_HEADER));
    const where = { seq: m.seq, selfId: this.opts.selfId };
    if (!parsed) {
      this.log.warn(where, 'event lines do not match their ids; skipped');
      return [];
    }
    if (parsed.unparsed > 0)
      this.log.warn({ ...where, skipped: parsed.unparsed }, 'event is not a JSON object; skipped');
    return parsed.events;
  }

  /**
   * Delivers the message's events in order, each retried until delivered, then acks it. A
   * stop hands the message back: its events delivered so far come again to the next holder
   * (at least once; receivers de-duplicate by the event id).
   */
  private async attempts(
    m: JsMsg,
    events: FeedEvent[],
    deliver: Deliver,
    signal: AbortSignal,
  ): Promise<void> {
    let next = 0;
    for (let attempt = 0; ; attempt++) {
      if (signal.aborted) {
        // Handed back at once, so the next holder delivers it first, not after the ack wait.
        m.nak();
        return;
      }
      if (this.tooOld(m)) {
        this.expired += events.length - next;
        expiredTotal.inc({ transport: this.opts.kind }, events.length - next);
        m.ack();
        return;
      }
      while (next < events.length && (await deliver(events[next]!).catch(() => false))) {
        this.delivered++;
        delivered.inc({ transport: this.opts.kind });
        next++;
        attempt = 0;
      }
      if (next === events.length) {
        m.ack();
        return;
      }
      retries.inc({ transport: this.opts.kind });
      await sleep(
        Math.min(this.opts.maxRetryMs, this.opts.retryMs * 2 ** Math.min(attempt, 10)),
        signal,
      ).catch(() => undefined);
    }
  }

  /** Stops pulling; the event being delivered is handed back (nak) and the delivery ends. */
  stop(): Promise<void> {
    return this.consumer.stop();
  }
}

/** Marks `m` in progress, ignoring a connection that is already closed. */
function working(m: JsMsg): void {
  try {
    m.working();
  } catch {
    // closed: the ack wait hands it on
  }
}
