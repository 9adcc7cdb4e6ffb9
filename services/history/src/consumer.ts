/**
 * The durable consumer that feeds the store. Every event of the stream passes through it; message
 * events are stored, then the event is acknowledged. A crash between store and ack only leads
 * to a redelivery, which stores the same values again. Several history replicas share the one
 * durable consumer, so each event is handled by one of them.
 */
import type { Namespace } from '@cqfleet/contracts';
import { isMessageEvent, type OneBotEvent } from '@cqfleet/onebot';
import { backoff, type Logger, type NatsConnection, sleep } from '@cqfleet/runtime';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import type { MessageStore } from './store.js';

export class HistoryConsumer {
  private readonly abort = new AbortController();
  private loop?: Promise<void>;
  stored = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly ns: Namespace,
    private readonly store: MessageStore,
    private readonly log: Logger,
    private readonly batch: number,
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
        ack_wait: 30_000_000_000,
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
          await this.handle(m);
          attempt = 0;
        }
        this.abort.signal.removeEventListener('abort', stop);
      } catch (err) {
        if (this.abort.signal.aborted) return;
        this.log.warn({ err }, 'history consumer interrupted; resuming');
      }
      await sleep(backoff(attempt, 200, 5_000), this.abort.signal).catch(() => undefined);
    }
  }

  private async handle(m: JsMsg): Promise<void> {
    let event: OneBotEvent;
    try {
      event = m.json<OneBotEvent>();
    } catch {
      this.log.warn({ seq: m.seq }, 'event is not JSON; skipped');
      m.term();
      return;
    }
    if (isMessageEvent(event)) {
      for (let attempt = 0; ; attempt++) {
        try {
          await this.store.put(event, m.seq);
          this.stored++;
          break;
        } catch (err) {
          if (this.abort.signal.aborted) return m.nak();
          this.log.warn({ err, attempt }, 'store failed; retrying');
          await sleep(backoff(attempt, 100, 3_000));
        }
      }
    }
    m.ack();
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
