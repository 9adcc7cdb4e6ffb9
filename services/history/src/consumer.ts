/**
 * The durable consumer that feeds the store. Every event of the stream passes through it (a
 * stream message may hold several: contracts' bus.ts); message events are stored, then the
 * message is acknowledged. A crash between store and ack only leads
 * to a redelivery, which stores the same values again. Several history replicas share the one
 * durable consumer, so each event is handled by one of them.
 *
 * Binding the consumer, batching what arrives together, resuming after NATS or consumer errors
 * and stopping are the runtime's `DurableConsumer`; storing, acknowledging and `catchUp` are here.
 */
import {
  EVENT_ID_HEADER,
  isUpstreamEventId,
  type Namespace,
  parsedEvents,
} from '@cqfleet/contracts';
import { isMessageEvent, type MessageEvent } from '@cqfleet/onebot';
import {
  backoff,
  counter,
  DurableConsumer,
  headerValue,
  type Logger,
  type NatsConnection,
  NS_PER_MS,
  sleep,
  type StreamMessage,
} from '@cqfleet/runtime';
import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import { type MessageStore, type Trust, unstorable } from '@cqfleet/history-store';

const storedTotal = counter(
  'cqfleet_history_events_stored_total',
  'Message events written to the history store (redeliveries included; writes are idempotent)',
);
const unstorableTotal = counter(
  'cqfleet_history_events_unstorable_total',
  'Message events not stored because they lack what a stored message needs (history-store storable.ts)',
);

/** A look-up waiting for the consumer to reach `target` (catchUp). */
interface CatchUpWaiter {
  target: number;
  start: number;
  deadline: number;
  resolve(caughtUp: boolean): void;
}

export class HistoryConsumer {
  private readonly consumer: DurableConsumer;
  private readonly waiting = new Set<CatchUpWaiter>();
  private polling = false;
  /** The stream's last seq being asked, and the ask queued behind it (lastSeq). */
  private seqAsk?: Promise<number>;
  private seqNext?: Promise<number>;
  stored = 0;
  /** Message events skipped as unstorable (logged: the first, then one in 100). */
  skipped = 0;

  constructor(
    nc: NatsConnection,
    ns: Namespace,
    private readonly messages: MessageStore,
    private readonly log: Logger,
    private readonly settings: { batch: number; gatherMs: number; ackWaitMs: number },
  ) {
    this.consumer = new DurableConsumer(
      nc,
      {
        stream: ns.eventStream,
        name: ns.historyConsumer,
        config: {
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          filter_subject: ns.eventSubjects,
          max_ack_pending: 20_000,
          ack_wait: settings.ackWaitMs * NS_PER_MS,
        },
      },
      log,
    );
  }

  /**
   * Binds (or creates) the shared consumer and stores from it until `stop()`: a batch gathers
   * for `gatherMs` after its first event (none open on the server meanwhile, runtime's
   * gathered-pulls.ts) and is stored in one Redis round trip, at most `batch` at a time, one
   * batch after another so chats keep their order. A look-up that misses cuts the gathering
   * short (`catchUp`).
   */
  start(): Promise<void> {
    return this.consumer.start({
      maxBatch: this.settings.batch,
      gatherMs: this.settings.gatherMs,
      eachBatch: (batch, signal) => this.store(batch, signal),
    });
  }

  /** Stores the batch's message events (retrying until Redis takes them), then acks them all. */
  private async store(batch: StreamMessage[], signal: AbortSignal): Promise<void> {
    const events: MessageEvent[] = [];
    // What an upstream implementation reported is kept under its account alone (store.ts).
    const own = new Set<MessageEvent>();
    for (const m of batch) {
      const parsed = parsedEvents(m.data, headerValue(m, EVENT_ID_HEADER));
      if (!parsed) {
        this.log.warn({ seq: m.seq }, 'event lines do not match their ids; skipped');
        continue;
      }
      if (parsed.unparsed > 0)
        this.log.warn(
          { seq: m.seq, skipped: parsed.unparsed },
          'event is not a JSON object; skipped',
        );
      for (const { id, event } of parsed.events) {
        if (!isMessageEvent(event)) continue;
        const problem = unstorable(event);
        if (problem !== undefined) {
          // Skipped and acked with the batch: retrying a write that cannot succeed would hold
          // every later event of every account behind it.
          this.skip(problem, { seq: m.seq, id });
          continue;
        }
        events.push(event);
        if (isUpstreamEventId(id)) own.add(event);
      }
    }
    const trust = (e: MessageEvent): Trust => (own.has(e) ? 'own' : 'shared');
    let pending = events;
    for (let attempt = 0; pending.length > 0; attempt++) {
      try {
        await this.messages.putMany(pending, trust);
        this.counted(pending.length);
        break;
      } catch (err) {
        if (signal.aborted) {
          // Stopping: another replica (or the next start) stores them, without the ack wait.
          for (const m of batch) m.nak();
          return;
        }
        if (refusedForGood(err)) {
          pending = await this.oneByOne(pending, trust);
          continue;
        }
        this.log.warn({ err, attempt }, 'store failed; retrying');
        await sleep(backoff(attempt, 100, 3_000));
      }
    }
    for (const m of batch) m.ack();
  }

  /**
   * After a batch's write failed in a way that fails again (refusedForGood): each event alone,
   * skipping those that fail so, so one bad event does not cost its batch. Returns the events
   * not yet written when another failure (Redis away) stopped it; the caller retries those.
   */
  private async oneByOne(events: MessageEvent[], trust: (e: MessageEvent) => Trust) {
    for (let i = 0; i < events.length; i++) {
      try {
        await this.messages.putMany([events[i]!], trust);
        this.counted(1);
      } catch (err) {
        if (!refusedForGood(err)) return events.slice(i);
        this.skip(err instanceof Error ? err.message : String(err), {});
      }
    }
    return [];
  }

  private counted(n: number): void {
    this.stored += n;
    storedTotal.inc(n);
  }

  /** An event that is not stored: counted, and logged (the first, then one in 100). */
  private skip(problem: string, at: Record<string, unknown>): void {
    unstorableTotal.inc();
    if (this.skipped++ % 100 === 0)
      this.log.warn({ ...at, problem, skipped: this.skipped }, 'message event not storable');
  }

  /**
   * Waits until every event that is in the stream now has been handled by the consumer (by any
   * replica), or `timeoutMs` passed. Used when a look-up misses: the message may be in flight.
   * Every look-up waiting at once shares one poll of the consumer's progress (`poll`) and the
   * asks of the stream's last seq (`lastSeq`): a flood of misses (random ids) asked the
   * JetStream API every 5–20 ms per miss, of the nats-server every tenant shares.
   */
  async catchUp(timeoutMs: number): Promise<boolean> {
    if (timeoutMs <= 0) return false;
    const target = await this.lastSeq();
    const start = Date.now();
    return new Promise<boolean>(resolve => {
      this.waiting.add({ target, start, deadline: start + timeoutMs, resolve });
      if (!this.polling) void this.poll();
    });
  }

  /**
   * The stream's last seq, asked after this call began: callers arriving while an ask is in
   * flight share the next one (the one in flight may have been sent before their event was
   * published), so at most one ask is in flight and one waits, however many look-ups miss.
   */
  private lastSeq(): Promise<number> {
    if (!this.seqAsk) {
      // The consumer's JetStream manager, made once: a new one asks the server first.
      const ask = this.consumer.streamLastSeq().finally(() => {
        if (this.seqAsk === ask) this.seqAsk = undefined;
      });
      this.seqAsk = ask;
      return ask;
    }
    this.seqNext ??= this.seqAsk
      .catch(() => 0)
      .then(() => {
        this.seqNext = undefined;
        return this.lastSeq();
      });
    return this.seqNext;
  }

  /** The one loop that answers every waiting catchUp; never rejects. */
  private async poll(): Promise<void> {
    this.polling = true;
    try {
      while (this.waiting.size > 0) {
        // A batch this replica is gathering (or began since the last look, as the awaited event
        // arrived) is stored now; another replica's within gatherMs.
        this.consumer.hurry();
        const floor = await this.consumer.info().then(
          info => info.ack_floor.stream_seq,
          (err: unknown) => {
            this.log.debug({ err: (err as Error).message }, 'consumer progress not read');
            return -1;
          },
        );
        const now = Date.now();
        let youngest = Infinity;
        for (const w of this.waiting) {
          if (floor >= w.target || now >= w.deadline) {
            this.waiting.delete(w);
            w.resolve(floor >= w.target);
          } else youngest = Math.min(youngest, now - w.start);
        }
        // Usually a gathering batch, stored within milliseconds; later, look less often.
        if (this.waiting.size > 0) await sleep(youngest < 100 ? 5 : 20);
      }
    } finally {
      this.polling = false;
    }
  }

  /** Stops reading; what was already received is stored and acknowledged first. */
  stop(): Promise<void> {
    return this.consumer.stop();
  }
}

/**
 * A failure that repeats whatever the retries: the record did not encode (a TypeError or
 * RangeError from codec.ts), or Redis answered a script error (`ERR …`). Not the replies
 * that pass — LOADING, READONLY during a fail-over, BUSY, OOM — nor a lost connection, which
 * are retried until Redis takes the write.
 */
function refusedForGood(err: unknown): boolean {
  if (err instanceof TypeError || err instanceof RangeError) return true;
  return err instanceof Error && err.name === 'ReplyError' && err.message.startsWith('ERR ');
}
