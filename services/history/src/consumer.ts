/**
 * The durable consumer that feeds the store. Every event of the stream passes through it; message
 * events are stored, then the event is acknowledged. A crash between store and ack only leads
 * to a redelivery, which stores the same values again. Several history replicas share the one
 * durable consumer, so each event is handled by one of them.
 */
import { EVENT_ID_HEADER, isUpstreamEventId, type Namespace } from '@cqfleet/contracts';
import { isMessageEvent, type MessageEvent, type OneBotEvent } from '@cqfleet/onebot';
import { backoff, counter, type Logger, type NatsConnection, sleep } from '@cqfleet/runtime';

const storedTotal = counter(
  'cqfleet_history_events_stored_total',
  'Message events written to the history store (redeliveries included; writes are idempotent)',
);
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import type { MessageStore, Trust } from './store.js';

export class HistoryConsumer {
  private readonly abort = new AbortController();
  private loop?: Promise<void>;
  /**
   * Messages that arrived together are stored together: a flush is scheduled after the
   * messages already received have been taken in, so a burst costs one Redis round trip per
   * batch and a lone message is stored at once. Flushes run one after another, so chats keep
   * their order.
   */
  private readonly pending: JsMsg[] = [];
  private scheduled = false;
  private flushing: Promise<void> = Promise.resolve();
  stored = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly ns: Namespace,
    private readonly messages: MessageStore,
    private readonly log: Logger,
    private readonly batch: number,
    private readonly ackWaitMs: number,
  ) {}

  async start(): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    const name = this.ns.historyConsumer;
    await jsm.consumers.info(this.ns.eventStream, name).catch(() =>
      jsm.consumers.add(this.ns.eventStream, {
        durable_name: name,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        filter_subject: this.ns.eventSubjects,
        max_ack_pending: 20_000,
        ack_wait: this.ackWaitMs * 1_000_000,
      }),
    );
    this.loop = this.run().catch((err: unknown) =>
      this.log.error({ err }, 'history consumer stopped'),
    );
  }

  /** Consumes until stopped; a broken subscription (NATS restart) is resumed with back-off. */
  private async run(): Promise<void> {
    const js = jetstream(this.nc);
    for (let attempt = 0; !this.abort.signal.aborted; attempt++) {
      try {
        const consumer = await js.consumers.get(this.ns.eventStream, this.ns.historyConsumer);
        const messages = await consumer.consume({ max_messages: this.batch });
        const stop = () => messages.stop();
        this.abort.signal.addEventListener('abort', stop, { once: true });
        for await (const m of messages) {
          this.pending.push(m);
          if (this.pending.length >= this.batch) await this.flush();
          else this.scheduleFlush();
          attempt = 0;
        }
        this.abort.signal.removeEventListener('abort', stop);
      } catch (err) {
        if (this.abort.signal.aborted) return;
        this.log.warn({ err }, 'history consumer interrupted; resuming');
      }
      await this.flush();
      await sleep(backoff(attempt, 200, 5_000), this.abort.signal).catch(() => undefined);
    }
    await this.flush();
  }

  private scheduleFlush(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private flush(): Promise<void> {
    const batch = this.pending.splice(0);
    if (batch.length > 0) this.flushing = this.flushing.then(() => this.store(batch));
    return this.flushing;
  }

  /** Stores the batch's message events (retrying until Redis takes them), then acks them all. */
  private async store(batch: JsMsg[]): Promise<void> {
    const events: MessageEvent[] = [];
    // What an upstream implementation reported is kept under its account alone (store.ts).
    const own = new Set<MessageEvent>();
    for (const m of batch) {
      try {
        const event = m.json<OneBotEvent>();
        if (!isMessageEvent(event)) continue;
        events.push(event);
        if (isUpstreamEventId(m.headers?.get(EVENT_ID_HEADER))) own.add(event);
      } catch {
        this.log.warn({ seq: m.seq }, 'event is not JSON; skipped');
      }
    }
    const trust = (e: MessageEvent): Trust => (own.has(e) ? 'own' : 'shared');
    for (let attempt = 0; events.length > 0; attempt++) {
      try {
        await this.messages.putMany(events, trust);
        this.stored += events.length;
        storedTotal.inc(events.length);
        break;
      } catch (err) {
        if (this.abort.signal.aborted) {
          for (const m of batch) m.nak();
          return;
        }
        this.log.warn({ err, attempt }, 'store failed; retrying');
        await sleep(backoff(attempt, 100, 3_000));
      }
    }
    for (const m of batch) m.ack();
  }

  /**
   * Waits until every event that is in the stream now has been handled by the consumer (by any
   * replica), or `timeoutMs` passed. Used when a look-up misses: the message may be in flight.
   */
  async catchUp(timeoutMs: number): Promise<boolean> {
    if (timeoutMs <= 0) return false;
    const jsm = await jetstreamManager(this.nc);
    const target = (await jsm.streams.info(this.ns.eventStream)).state.last_seq;
    const end = Date.now() + timeoutMs;
    for (;;) {
      const info = await jsm.consumers.info(this.ns.eventStream, this.ns.historyConsumer);
      if (info.ack_floor.stream_seq >= target) return true;
      if (Date.now() >= end) return false;
      await sleep(20);
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }
}
