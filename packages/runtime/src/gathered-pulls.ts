/**
 * Reading a JetStream pull consumer in gathered batches, for a consumer whose messages may wait
 * a few milliseconds (history's store) but whose process should not wake for each of them.
 *
 * nats.js's `consume()` keeps a pull request open on the server, which sends every message the
 * moment it is stored: at 1,000 events/s spread over many accounts that is a wake-up of the
 * reader, a Redis call and an ack write every one to three events, and on two cores those
 * wake-ups are what the other processes' latency waits behind (bench/README.md, "Fifth
 * session"). Here nothing is open while a batch gathers:
 *
 * 1. a pull for **one** message waits (up to `waitMs`) for the first message;
 * 2. then `gatherMs` pass without any pull open, so later messages stay on the server;
 * 3. a `no_wait` pull takes what is pending, up to the batch size and `maxBytes`, in one write;
 * 4. after a full batch (by count or by bytes) step 3 comes again at once (a backlog is read
 *    without gathering).
 *
 * A batch is bounded in bytes as well as in messages: JetStream ends a pull with `max_bytes`
 * (409 "Message Size Exceeds MaxBytes") before a message that would not fit, without sending
 * it, and leaves it pending. The pull of step 1 has no byte bound, so a message bigger than
 * `maxBytes` is still read: it is the first (and only) message of its batch.
 *
 * Every message that reaches the reply subscription is handed over, whichever pull it answers
 * (one sent before a reconnect, say): a message this process received and dropped would stay
 * pending on it, hidden from every other reader, until the ack wait. A pull the server goes
 * silent about (no heartbeat while it waits: it went away with a connection, or the consumer
 * is gone) is given up, and the reader binds again.
 *
 * The messages are `StreamMessage`s: the data, the headers, the stream sequence and the
 * acknowledgements, which is what a batch handler uses (nats.js's `JsMsg` has the same).
 */
import { createInbox, type Msg, type MsgHdrs, type Subscription } from '@nats-io/transport-node';
import { type NatsConnection, NS_PER_MS } from './nats.js';

/** What a batch handler gets of a message (nats.js's `JsMsg` is one). */
export interface StreamMessage {
  readonly data: Uint8Array;
  readonly headers?: MsgHdrs;
  /** The core NATS message inside, when there is one (nats-headers.ts). */
  readonly msg?: unknown;
  /** The message's sequence in the stream. */
  readonly seq: number;
  ack(): void;
  /** Hands the message back, to be delivered again (after `delayMs`). */
  nak(delayMs?: number): void;
}

export interface GatheredPullsOptions {
  stream: string;
  consumer: string;
  /** Most messages in one batch. */
  maxBatch: number;
  /** How long a batch gathers after its first message arrived. */
  gatherMs: number;
  /** How long one pull waits on the server for a first message (then another is sent). @default 5000 */
  waitMs?: number;
  /** Most bytes of message data in one batch (but for its first message). @default 16 MiB */
  maxBytes?: number;
}

/**
 * A batch's bytes by default. A batch of 500 messages of up to the server's max_payload (1 MiB
 * by default) each would be 500 MiB held by the reader at once, and passed on to its store in
 * one go; 16 MiB is 16 maximal messages, while a batch of ordinary events (a few hundred bytes
 * to a few KiB each: 500 of them is 0.5–2 MiB) never meets it.
 */
export const MAX_BATCH_BYTES = 16 * 1024 * 1024;

/** While a pull waits the server says it is alive this often; silence means it is lost. */
const HEARTBEAT_MS = 1_000;
/** The terminal statuses of a pull (no more messages for it now, or it expired). */
const PULL_ENDED = new Set([404, 408]);
/** The consumer or the stream is gone, or JetStream does not answer: bind again. */
const CONSUMER_GONE = new Set([409, 503]);
/** The 409 that only ends a pull: the next message would take it over its `max_bytes`. */
const OVER_MAX_BYTES = 'message size exceeds maxbytes';

export class ConsumerGoneError extends Error {}

interface OpenPull {
  id: string;
  want: number;
  got: number;
  /** The server ended it at its `max_bytes`: more is pending. */
  full?: boolean;
  done: () => void;
  /** The server said something of this pull (a heartbeat): it is not lost. */
  alive: () => void;
}

export class GatheredPulls {
  private readonly inbox = createInbox();
  private readonly sub: Subscription;
  private readonly subject: string;
  private received: StreamMessage[] = [];
  /** The pull in progress (one at a time). */
  private open?: OpenPull;
  private nextPull = 0;
  private gone?: Error;
  /** The last batch was full: take what is pending at once, without waiting or gathering. */
  private backlog = false;
  /** Data bytes of `received`. */
  private receivedBytes = 0;
  /** Ends the gathering in progress. */
  private wake?: () => void;

  constructor(
    private readonly nc: NatsConnection,
    private readonly opts: GatheredPullsOptions,
  ) {
    this.subject = `$JS.API.CONSUMER.MSG.NEXT.${opts.stream}.${opts.consumer}`;
    this.sub = nc.subscribe(`${this.inbox}.*`, {
      callback: (err, m) => {
        if (!err) this.arrived(m);
      },
    });
  }

  /**
   * The next batch: messages in stream order as they arrived, at most `maxBatch`; empty when
   * no message came within `waitMs` or `signal` was aborted. Rejects with ConsumerGoneError.
   */
  async next(signal: AbortSignal): Promise<StreamMessage[]> {
    const { maxBatch, gatherMs, waitMs = 5_000, maxBytes = MAX_BATCH_BYTES } = this.opts;
    if (!this.backlog && this.received.length === 0) {
      const wait = {
        batch: 1,
        expires: waitMs * NS_PER_MS,
        idle_heartbeat: HEARTBEAT_MS * NS_PER_MS,
      };
      await this.pull(wait, 2.5 * HEARTBEAT_MS, signal);
      if (this.received.length === 0 || signal.aborted) return this.take(maxBatch);
      await this.gather(gatherMs, signal);
    }
    const room = maxBatch - this.received.length;
    const bytes = maxBytes - this.receivedBytes;
    let full = room <= 0 || bytes <= 0;
    if (!full && !signal.aborted)
      full = await this.pull({ batch: room, no_wait: true, max_bytes: bytes }, waitMs, signal);
    const batch = this.take(maxBatch);
    // Full by bytes with nothing taken: the next message alone is over `maxBytes`, and only the
    // unbounded pull of step 1 reads it (a backlog pull would end empty again, for ever).
    this.backlog = batch.length > 0 && (full || batch.length >= maxBatch);
    return batch;
  }

  /** Ends a gathering in progress now: someone waits for what it holds (a read after a write). */
  hurry(): void {
    this.wake?.();
  }

  close(): void {
    this.sub.unsubscribe();
    this.open?.done();
  }

  private take(max: number): StreamMessage[] {
    if (this.gone && this.received.length === 0) throw this.gone;
    const batch = this.received.splice(0, max);
    for (const m of batch) this.receivedBytes -= m.data.length;
    return batch;
  }

  /** Waits `ms`, or less when aborted or hurried. */
  private gather(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise(resolve => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }

  /**
   * Sends one pull request and resolves when it ended: its messages came, or the server said it
   * is over, or `signal` was aborted; true when the server ended it at its `max_bytes`. A pull
   * the server says nothing about for `silentMs` (it was lost with a connection, or the
   * consumer is gone: a pull for a missing consumer gets no answer) makes the reader bind again
   * (ConsumerGoneError).
   */
  private pull(request: object, silentMs: number, signal: AbortSignal): Promise<boolean> {
    const id = String(this.nextPull++);
    const want = (request as { batch: number }).batch;
    return new Promise<boolean>(resolve => {
      const silent = () => {
        this.gone ??= new ConsumerGoneError(`consumer ${this.opts.consumer}: a pull got no answer`);
        end();
      };
      let timer = setTimeout(silent, silentMs);
      const end = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', end);
        if (this.open?.id === id) this.open = undefined;
        resolve(open.full === true);
      };
      const alive = () => {
        clearTimeout(timer);
        timer = setTimeout(silent, silentMs);
      };
      signal.addEventListener('abort', end, { once: true });
      const open: OpenPull = { id, want, got: 0, done: end, alive };
      this.open = open;
      this.nc.publish(this.subject, JSON.stringify(request), { reply: `${this.inbox}.${id}` });
    });
  }

  /**
   * A message for the reply subscription. JetStream sends the stream's messages under their own
   * subjects (each is counted against the pull in progress) and the statuses that end a pull
   * under the pull's reply subject.
   */
  private arrived(m: Msg): void {
    // A status has no body; a stream message's headers are not decoded here (nats-headers.ts).
    const code = m.data.length > 0 ? 0 : (m.headers?.code ?? 0);
    if (code === 0 && m.reply) {
      this.received.push(new PulledMessage(this.nc, m));
      this.receivedBytes += m.data.length;
      if (this.open && ++this.open.got >= this.open.want) this.open.done();
      return;
    }
    const forOpen = this.open !== undefined && m.subject === `${this.inbox}.${this.open.id}`;
    const overMaxBytes =
      code === 409 && (m.headers?.description ?? '').toLowerCase() === OVER_MAX_BYTES;
    if (overMaxBytes) {
      // Only a pull's own end: the consumer is there, the message waits for the next pull.
      if (forOpen) {
        this.open!.full = true;
        this.open!.done();
      }
    } else if (CONSUMER_GONE.has(code)) {
      this.gone = new ConsumerGoneError(
        `consumer ${this.opts.consumer}: ${code} ${m.headers?.description ?? ''}`.trim(),
      );
      this.open?.done();
    } else if (PULL_ENDED.has(code) && forOpen) this.open?.done();
    else if (forOpen) this.open?.alive();
    // Anything else (a late end of an earlier pull) ends nothing.
  }
}

class PulledMessage implements StreamMessage {
  readonly seq: number;

  constructor(
    private readonly nc: NatsConnection,
    /** The core message (headerValue reads its header block raw, as a JsMsg's). */
    readonly msg: Msg,
  ) {
    this.seq = streamSeq(msg.reply!);
  }

  get data(): Uint8Array {
    return this.msg.data;
  }

  get headers(): MsgHdrs | undefined {
    return this.msg.headers;
  }

  ack(): void {
    this.nc.publish(this.msg.reply!, '+ACK');
  }

  nak(delayMs?: number): void {
    const body = delayMs ? `-NAK ${JSON.stringify({ delay: delayMs * NS_PER_MS })}` : '-NAK';
    this.nc.publish(this.msg.reply!, body);
  }
}

/**
 * The stream sequence in a JetStream ack subject: `$JS.ACK.<stream>.<consumer>.<delivered>.
 * <stream seq>.<consumer seq>.<time>.<pending>`, or with `<domain>.<account hash>` after `ACK`
 * (and a token more at the end) on servers that add them.
 */
export function streamSeq(ackSubject: string): number {
  const t = ackSubject.split('.');
  return Number(t.length === 9 ? t[5] : t[7]);
}
