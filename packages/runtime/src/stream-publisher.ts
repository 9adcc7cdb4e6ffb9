/**
 * JetStream publish-with-ack for a process that publishes many small messages at once (a
 * session worker publishing the events of a thousand accounts).
 *
 * `js.publish` of nats.js is a request per message: a reply subscription entry, a timer and,
 * on every ack, a `RequestError` built with a stack trace when the request is cancelled after
 * resolving (about 7 % of a session worker's CPU in bench/README.md, "Profiles"). Here every
 * publish carries a reply subject under one inbox subscription of the publisher; acks are
 * matched by the number at the end of that subject, and one sweep every `timeoutMs / 4`
 * fails what was not acknowledged in time.
 *
 * Messages published in the same turn of the event loop are written together: publishes are
 * collected until the next `setImmediate`, so a burst of events from many driver sockets
 * costs one socket write to NATS instead of one per event.
 *
 * The ack a stream sends is `{"stream", "seq", "duplicate"?}` or `{"error": {...}}`; a message
 * no stream takes gets a 503 status from the server (no responders). Both failures, and a
 * timeout, resolve to an Error: callers retry, and the message id lets the stream drop a
 * second copy.
 *
 * Headers are given as name–value pairs and written as the header block directly
 * ({@link PublishHeaders}): nats.js's general-purpose header object canonicalises, checks and
 * re-encodes every name and value of every message (about 4 % of a session worker under load).
 */
import { createInbox, type MsgHdrs, MsgHdrsImpl, type Subscription } from '@nats-io/transport-node';
import { maxPayload, type NatsConnection } from './nats.js';

export interface StreamAck {
  stream: string;
  seq: number;
  duplicate?: boolean;
}

interface Waiting {
  resolve(ack: StreamAck | Error): void;
  /** When the publish was handed to the connection (ms, monotonic). */
  at: number;
}

interface Outgoing {
  id: number;
  subject: string;
  data: string | Uint8Array;
  headers: MsgHdrs;
}

/**
 * A message's headers as `[name, value]` pairs, names in canonical form (`Nats-Msg-Id`). A value
 * with CR or LF is refused (it would end the header block).
 */
export type PublishHeaders = ReadonlyArray<readonly [string, string]>;

/**
 * The header block of `pairs`, for nats.js's publish, which only asks a message's headers for
 * their encoding. Write-only: reading it back (`get`) finds nothing.
 */
class EncodedHeaders extends MsgHdrsImpl {
  constructor(private readonly block: Uint8Array) {
    super();
  }
  override encode(): Uint8Array {
    return this.block;
  }
}

const LINE_BREAK = /[\r\n]/;

function encodeHeaders(pairs: PublishHeaders): MsgHdrs {
  let block = 'NATS/1.0\r\n';
  for (const [name, value] of pairs) {
    if (LINE_BREAK.test(name) || LINE_BREAK.test(value))
      throw new Error(`header ${JSON.stringify(name)} holds a line break`);
    block += `${name}: ${value}\r\n`;
  }
  return new EncodedHeaders(Buffer.from(`${block}\r\n`));
}

const decoder = new TextDecoder();

export class StreamPublisher {
  private readonly inbox = createInbox();
  private readonly sub: Subscription;
  private readonly waiting = new Map<number, Waiting>();
  private readonly sweeper: NodeJS.Timeout;
  private outgoing: Outgoing[] = [];
  private scheduled = false;
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs = 5_000,
  ) {
    this.sub = nc.subscribe(`${this.inbox}.*`, {
      callback: (err, msg) => {
        if (err) return; // the subscription is closed: the sweep fails what is waiting
        const id = Number(msg.subject.slice(this.inbox.length + 1));
        const w = this.waiting.get(id);
        if (!w) return; // already timed out
        this.waiting.delete(id);
        w.resolve(parseAck(msg.data, msg.headers));
      },
    });
    this.sweeper = setInterval(() => this.sweep(), Math.max(50, timeoutMs / 4));
    this.sweeper.unref();
  }

  /**
   * The largest message (headers and body) the server takes: a bigger one can never be
   * published, so retrying it is pointless.
   */
  get maxPayload(): number {
    return maxPayload(this.nc);
  }

  /** Number of publishes not acknowledged yet. */
  get pending(): number {
    return this.waiting.size + this.outgoing.length;
  }

  /**
   * Publishes; resolves with the stream's ack, or with an Error (never rejects: headers with a
   * line break resolve to one too).
   */
  publish(
    subject: string,
    data: string | Uint8Array,
    headers: PublishHeaders,
  ): Promise<StreamAck | Error> {
    if (this.closed) return Promise.resolve(new Error('publisher closed'));
    let encoded: MsgHdrs;
    try {
      encoded = encodeHeaders(headers);
    } catch (err) {
      return Promise.resolve(err as Error);
    }
    const id = this.nextId++;
    return new Promise(resolve => {
      this.waiting.set(id, { resolve, at: performance.now() });
      this.outgoing.push({ id, subject, data, headers: encoded });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.write());
      }
    });
  }

  private write(): void {
    this.scheduled = false;
    const batch = this.outgoing;
    this.outgoing = [];
    const now = performance.now();
    for (const m of batch) {
      const w = this.waiting.get(m.id);
      if (!w) continue;
      w.at = now; // the timeout counts from the write, not from the queueing
      try {
        this.nc.publish(m.subject, m.data, { reply: `${this.inbox}.${m.id}`, headers: m.headers });
      } catch (err) {
        // Closed or draining connection: fail this one, keep going with the rest.
        this.waiting.delete(m.id);
        w.resolve(err instanceof Error ? err : new Error(String(err)));
      }
    }
  }

  private sweep(): void {
    const oldest = performance.now() - this.timeoutMs;
    for (const [id, w] of this.waiting) {
      if (w.at > oldest) continue;
      this.waiting.delete(id);
      w.resolve(new Error(`no ack from the stream within ${this.timeoutMs} ms`));
    }
  }

  /** Fails everything waiting and stops listening for acks. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweeper);
    this.sub.unsubscribe();
    for (const w of this.waiting.values()) w.resolve(new Error('publisher closed'));
    this.waiting.clear();
    this.outgoing = [];
  }
}

function parseAck(data: Uint8Array, headers: MsgHdrs | undefined): StreamAck | Error {
  if (headers?.hasError) {
    return new Error(
      headers.code === 503
        ? 'no stream takes this subject (no responders)'
        : `stream error ${headers.code}: ${headers.description}`,
    );
  }
  try {
    const ack = JSON.parse(decoder.decode(data)) as Partial<StreamAck> & {
      error?: { code?: number; description?: string };
    };
    if (ack.error) return new Error(`stream error ${ack.error.code}: ${ack.error.description}`);
    if (typeof ack.stream !== 'string' || typeof ack.seq !== 'number')
      return new Error('malformed stream ack');
    return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate === true };
  } catch {
    return new Error('malformed stream ack');
  }
}
