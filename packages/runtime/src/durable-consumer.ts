/**
 * A durable JetStream pull consumer, read until stopped: what the gateway's outbound deliveries
 * (one consumer per endpoint and account, one message at a time, in order) and history (one
 * consumer shared by its replicas, in batches gathered for a few milliseconds) both need.
 *
 * - **Create or bind.** `start()` binds the consumer, creating it with `config` when it does
 *   not exist, and rejects when that is impossible now (no JetStream, no stream). An existing
 *   one keeps its settings except the few that can be edited in place and that `config`
 *   names (the ack wait, how many may be pending, the inactivity threshold), which are
 *   brought to `config`'s, so a new release's values reach consumers made by an old one
 *   (consumer-binding.ts).
 * - **Resume.** Every failure of the reading (NATS gone, the consumer deleted, a pull refused)
 *   is logged and followed, after back-off, by binding again — creating the consumer again if
 *   it was deleted — until `stop()` or until the connection is closed for good. The loop never
 *   throws into nothing.
 * - **Handlers own acknowledgement.** A handler acks, naks or marks `working()` its messages
 *   itself; the consumer only hands back (nak) the messages of a handler that throws, so they
 *   come again (after back-off) instead of after the ack wait.
 * - **Stop.** `stop()` aborts the handler's signal, stops pulling, and resolves once the handler
 *   has finished. A message that arrives while stopping still goes to the handler, with its
 *   signal aborted: the handler decides (hand it back, or finish it).
 *
 * ```ts
 * const consumer = new DurableConsumer(nc, { stream: 'EVENTS', name: 'audit',
 *   config: { deliver_policy: DeliverPolicy.All, filter_subject: 'events.>' } }, log);
 * await consumer.start({ eachMessage: async (m, signal) => { await write(m); m.ack(); } });
 * // or: await consumer.start({ maxBatch: 500, eachBatch: async (ms, signal) => { … } });
 * await consumer.stop();
 * ```
 */
import {
  type Consumer,
  type ConsumerInfo,
  jetstream,
  type JetStreamManager,
  jetstreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { bindConsumer, type DurableConsumerConfig } from './consumer-binding.js';
import { GatheredPulls, type StreamMessage } from './gathered-pulls.js';
import type { Logger } from './logger.js';
import type { NatsConnection } from './nats.js';
import { backoff, sleep } from './time.js';

export type { DurableConsumerConfig } from './consumer-binding.js';

export interface DurableConsumerOptions {
  /** The stream read. */
  stream: string;
  /** Durable name: every process reading the same name shares (splits) its messages. */
  name: string;
  /** Settings used when the consumer is created. `ack_policy` @default AckPolicy.Explicit */
  config: DurableConsumerConfig;
  /**
   * One at a time (`eachMessage`): how long one pull waits on the server for a message, hence
   * also the longest `stop()` waits for a pull in progress. @default 1000
   */
  pullExpiresMs?: number;
  /** Back-off before resuming: first and longest delay (full jitter). @default 200, 5000 */
  resumeMs?: number;
  maxResumeMs?: number;
}

/** Handles one message; `signal` is aborted once `stop()` was called. */
export type EachMessage = (msg: JsMsg, signal: AbortSignal) => Promise<void>;
/** Handles the messages that arrived together (in stream order); see {@link BatchHandler}. */
export type EachBatch = (msgs: StreamMessage[], signal: AbortSignal) => Promise<void>;

/**
 * One at a time: a message is pulled only once the handler of the previous one has returned,
 * so nothing waits in a buffer of this process (what it has not handled when it stops is not
 * pending on it, hidden from another holder until the ack wait).
 */
export interface MessageHandler {
  eachMessage: EachMessage;
}

/**
 * In batches: up to `maxBatch` messages are buffered; those that arrived together are handed
 * over together, at most `maxBatch` at a time (a lone message at once). Batches run one after
 * another, in stream order; a full batch holds the reading until it is handled. When stopping,
 * what was already received is still handed over.
 */
export interface BatchHandler {
  maxBatch: number;
  eachBatch: EachBatch;
  /**
   * When above 0, a batch gathers for this long after its first message, with no pull open
   * on the server meanwhile (gathered-pulls.ts): fewer wake-ups, round trips and acks at low
   * rates, for messages handled up to this much later. A backlog is read without waiting.
   */
  gatherMs?: number;
}

export type DurableConsumerHandler = MessageHandler | BatchHandler;

export class DurableConsumer {
  private readonly abort = new AbortController();
  private jsm?: JetStreamManager;
  private loop?: Promise<void>;
  /** Consecutive failures: the back-off attempt, reset by progress. */
  private failures = 0;
  /** Batches: received and not handed over yet; the chain of batch handlers. */
  private pending: StreamMessage[] = [];
  private scheduled = false;
  private handling: Promise<void> = Promise.resolve();
  private failedBatches = 0;
  /** Gathered batches (`gatherMs`): the reader in use. */
  private reader?: GatheredPulls;

  constructor(
    private readonly nc: NatsConnection,
    private readonly opts: DurableConsumerOptions,
    private readonly log: Logger,
  ) {}

  get name(): string {
    return this.opts.name;
  }

  /** Binds (or creates) the consumer, then reads it in the background until `stop()` (once). */
  async start(handler: DurableConsumerHandler): Promise<void> {
    if (this.loop) throw new Error(`consumer ${this.name} already started`);
    if ('maxBatch' in handler && !(handler.maxBatch >= 1))
      throw new Error(`consumer ${this.name}: maxBatch must be at least 1`);
    const info = await this.ensure();
    this.loop = this.run(info, handler).catch((err: unknown) =>
      this.log.error({ err, consumer: this.name }, 'consumer loop ended'),
    );
  }

  /** The consumer's state on the server (delivered, ack floor, pending). */
  async info(): Promise<ConsumerInfo> {
    return (await this.manager()).consumers.info(this.opts.stream, this.name);
  }

  /** The sequence of the stream's last message now (what a catch-up waits for). */
  async streamLastSeq(): Promise<number> {
    return (await (await this.manager()).streams.info(this.opts.stream)).state.last_seq;
  }

  /**
   * With `gatherMs`: the batch gathering now is taken and handed over at once, because a reader
   * waits for it (history's read-your-writes). Otherwise nothing waits, and this does nothing.
   */
  hurry(): void {
    this.reader?.hurry();
  }

  /** Stops pulling and resolves once the handler (every batch received, too) has finished. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async manager(): Promise<JetStreamManager> {
    return (this.jsm ??= await jetstreamManager(this.nc));
  }

  private async ensure(): Promise<ConsumerInfo> {
    const { stream, name, config } = this.opts;
    return bindConsumer(await this.manager(), stream, name, config, this.log);
  }

  private async run(first: ConsumerInfo, handler: DurableConsumerHandler): Promise<void> {
    const signal = this.abort.signal;
    const js = jetstream(this.nc);
    let info: ConsumerInfo | undefined = first;
    while (!signal.aborted) {
      try {
        const consumer = js.consumers.getConsumerFromInfo(info ?? (await this.ensure()));
        info = undefined;
        if ('eachMessage' in handler) await this.oneByOne(consumer, handler.eachMessage);
        else await this.inBatches(consumer, handler);
      } catch (err) {
        info = undefined;
        if (!signal.aborted)
          this.log.warn({ err, consumer: this.name }, 'consumer interrupted; resuming');
      }
      if (signal.aborted) return;
      if (this.nc.isClosed()) {
        this.log.warn({ consumer: this.name }, 'connection closed; consumer stopped');
        return;
      }
      const { resumeMs = 200, maxResumeMs = 5_000 } = this.opts;
      await sleep(backoff(this.failures++, resumeMs, maxResumeMs), signal).catch(() => undefined);
    }
  }

  private async oneByOne(consumer: Consumer, handle: EachMessage): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      const m = await consumer.next({ expires: this.opts.pullExpiresMs ?? 1_000 });
      if (!m) continue;
      try {
        await handle(m, signal);
      } catch (err) {
        handBack([m]);
        throw err; // resumed after back-off, so a handler that keeps failing does not spin
      }
      this.failures = 0;
    }
  }

  private async inBatches(consumer: Consumer, handler: BatchHandler): Promise<void> {
    const signal = this.abort.signal;
    if (handler.gatherMs) return this.gathered(handler, handler.gatherMs);
    const messages = await consumer.consume({
      max_messages: handler.maxBatch,
      // A deleted consumer ends the reading (and is created again by `run`), rather than
      // waiting for someone else to create it.
      abort_on_missing_resource: true,
    });
    const stop = () => messages.stop();
    signal.addEventListener('abort', stop, { once: true });
    if (signal.aborted) stop();
    try {
      // After `stop()` the iterator still yields what it had received, then ends.
      for await (const m of messages) {
        this.failures = 0;
        this.pending.push(m);
        if (this.pending.length >= handler.maxBatch) await this.flush(handler);
        else this.scheduleFlush(handler);
      }
    } finally {
      signal.removeEventListener('abort', stop);
      stop();
      await this.flush(handler);
    }
  }

  /**
   * Batches gathered without a pull open (gathered-pulls.ts), handled one after another. A
   * consumer that is gone or a pull that got no answer throws, and `run` binds again.
   */
  private async gathered(handler: BatchHandler, gatherMs: number): Promise<void> {
    const signal = this.abort.signal;
    const { stream, name } = this.opts;
    const reader = (this.reader = new GatheredPulls(this.nc, {
      stream,
      consumer: name,
      maxBatch: handler.maxBatch,
      gatherMs,
    }));
    try {
      do {
        // When stopping, what was already received is still handed over.
        const batch = await reader.next(signal);
        if (batch.length === 0) continue;
        this.failures = 0;
        await this.handleBatch(batch, handler);
      } while (!signal.aborted);
    } finally {
      reader.close();
      this.reader = undefined;
    }
  }

  /** Hands the messages received so far over once this turn's arrivals are taken in. */
  private scheduleFlush(handler: BatchHandler): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush(handler); // never rejects: see handleBatch
    });
  }

  private flush(handler: BatchHandler): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length > 0)
      this.handling = this.handling.then(() => this.handleBatch(batch, handler));
    return this.handling;
  }

  private async handleBatch(batch: StreamMessage[], handler: BatchHandler): Promise<void> {
    try {
      await handler.eachBatch(batch, this.abort.signal);
      this.failedBatches = 0;
    } catch (err) {
      this.log.error({ err, consumer: this.name, messages: batch.length }, 'batch failed; naked');
      handBack(batch, backoff(this.failedBatches++, 200, 5_000));
    }
  }
}

/** Naks, ignoring a connection that is already closed (the ack wait redelivers then). */
function handBack(msgs: StreamMessage[], delayMs?: number): void {
  for (const m of msgs) {
    try {
      m.nak(delayMs);
    } catch {
      // closed connection
    }
  }
}
