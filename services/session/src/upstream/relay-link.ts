/**
 * The worker's end of the relay of a reverse-WebSocket upstream (protocol:
 * contracts/upstream-relay.ts). The upstream's socket is held by whichever gateway replica it
 * connected to; this end finds that replica by asking `hello`, then exchanges frames with it on
 * the socket's `in` / `out` subjects until the gateway says `closed`, a newer socket is
 * `opened`, the gateway stops answering `hello` (it died without a word), or this worker's
 * NATS connection drops (frames sent meanwhile would be lost).
 *
 * The link is full as a forward one is (links.ts' BufferLimits, the same numbers): its bytes
 * are those of frames handed to the worker's NATS connection that the server has not taken
 * yet — a flush (PING / PONG) after them has not come back. That connection is the worker's
 * only one: every account's event publishes wait behind what it holds for their acks, so an
 * action frame (up to 64 MiB with inlined media) must not be queued there without limit.
 */
import type { Namespace, RelayHello, RelayKind } from '@cqfleet/contracts';
import {
  FrameJoiner,
  type Logger,
  type NatsConnection,
  onNatsStatus,
  publishFrame,
} from '@cqfleet/runtime';
import {
  type BufferLimits,
  type Connector,
  SendBacklog,
  UPSTREAM_BUFFER_LIMITS,
  type UpstreamLink,
} from './links.js';

const HELLO_TIMEOUT_MS = 2_000;

export class RelayConnector implements Connector {
  readonly where: string;

  constructor(
    private readonly nc: NatsConnection,
    private readonly ns: Namespace,
    private readonly uin: number,
    private readonly log: Logger,
    /** How often the holder of the socket is asked whether it still has it. */
    private readonly probeMs = 5_000,
    /** When the link is full: UPSTREAM_BUFFER_LIMITS unless a test says. */
    private readonly limits: BufferLimits = UPSTREAM_BUFFER_LIMITS,
  ) {
    this.where = `reverse WebSocket of account ${uin} (relayed by a gateway)`;
  }

  async connect(
    onFrame: (raw: string) => void,
    signal: AbortSignal,
    waiting: () => void,
  ): Promise<UpstreamLink> {
    const hello = await this.socket(signal, waiting);
    return this.attach(hello.conn, onFrame);
  }

  /** Which gateway socket carries the upstream, waiting for one to be opened if none is. */
  private socket(signal: AbortSignal, waiting: () => void): Promise<RelayHello> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (hello: RelayHello | undefined, err?: unknown) => {
        if (settled || (!hello && err === undefined)) return;
        settled = true;
        sub.unsubscribe();
        clearInterval(timer);
        offReconnect();
        signal.removeEventListener('abort', onAbort);
        if (hello) resolve(hello);
        else reject(err instanceof Error ? err : new Error(String(err)));
      };
      // Subscribed before asking, so a socket opened in between is not missed.
      const sub = this.nc.subscribe(this.subject('opened'), {
        callback: (err, msg) => {
          if (!err) finish(parseHello(msg.string()));
        },
      });
      const ask = () => void this.hello().then(h => finish(h));
      const timer = setInterval(ask, this.probeMs);
      // Back on NATS: the gateway holding the socket may be reachable again.
      const offReconnect = onNatsStatus(this.nc, 'reconnect', ask);
      const onAbort = () => finish(undefined, signal.reason ?? new Error('stopped'));
      signal.addEventListener('abort', onAbort, { once: true });
      void this.hello().then(h => {
        if (h) finish(h);
        else if (!settled) waiting();
      });
    });
  }

  private async attach(conn: string, onFrame: (raw: string) => void): Promise<UpstreamLink> {
    const { nc } = this;
    const joiner = new FrameJoiner();
    let over = false;
    let resolveClosed!: (why: string) => void;
    const closed = new Promise<string>(resolve => (resolveClosed = resolve));
    const end = (why: string) => {
      if (over) return;
      over = true;
      for (const sub of subs) sub.unsubscribe();
      clearInterval(probe);
      offDisconnect();
      resolveClosed(why);
    };
    const subs = [
      nc.subscribe(this.subject('in', conn), {
        callback: (err, msg) => {
          const frame = err ? undefined : joiner.push(msg);
          if (frame !== undefined && !over)
            onFrame(Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).toString('utf8'));
        },
      }),
      nc.subscribe(this.subject('closed', conn), {
        callback: (_err, msg) => end(msg.string() || '1006 closed'),
      }),
      nc.subscribe(this.subject('opened'), {
        callback: (err, msg) => {
          const next = err ? undefined : parseHello(msg.string());
          if (next && next.conn !== conn) end('1000 replaced by a newer upstream connection');
        },
      }),
    ];
    // Frames are core NATS messages: while this worker or the gateway is away from NATS they
    // are lost, and an action would wait for an answer that never comes. The link ends with
    // the connection (actions fail fast, offline) and is set up again once `hello` answers.
    const offDisconnect = onNatsStatus(nc, 'disconnect', () =>
      end('1006 the NATS connection was lost'),
    );
    const check = async () => {
      const h = await this.hello();
      if (h?.conn !== conn) end('1006 the gateway holding the upstream socket is gone');
    };
    const probe = setInterval(() => void check(), this.probeMs);
    await nc.flush();
    // Attaching checks that the socket is still there (it may have closed between `hello` and
    // these subscriptions) and has the gateway send the recent events again: what this worker
    // may have missed (a hand-over, an outage); what was published already the stream drops.
    if (!(await this.ask('attach', conn))) end('1006 the upstream socket is gone');
    this.log.debug({ conn }, 'attached to the relayed upstream socket');
    // Bytes handed to NATS, and how many of them its server has taken (a flush came back).
    const backlog = new SendBacklog(this.limits);
    let sent = 0;
    let taken = 0;
    let flushing = false;
    const confirm = () => {
      if (flushing || over || taken === sent) return;
      flushing = true;
      const mark = sent;
      nc.flush().then(
        () => {
          flushing = false;
          taken = Math.max(taken, mark);
          confirm();
        },
        // A closed connection: the link ends with it (onNatsStatus, or the next publish).
        () => (flushing = false),
      );
    };
    return {
      send: frame => {
        if (over) return;
        const bytes = Buffer.byteLength(frame);
        sent += bytes;
        backlog.added(bytes);
        try {
          publishFrame(nc, this.subject('out', conn), frame);
        } catch (err) {
          // A closed connection: the link is over; waiting actions fail with it.
          end(`1006 ${err instanceof Error ? err.message : String(err)}`);
        }
        confirm();
      },
      full: () => backlog.full(sent - taken),
      close: () => end('1000 detached'),
      closed,
    };
  }

  /** Asks which socket carries the upstream; undefined when no gateway holds one. */
  private hello(): Promise<RelayHello | undefined> {
    return this.ask('hello');
  }

  /** A request to the gateway holding the socket; undefined when nobody answers. */
  private async ask(kind: 'hello' | 'attach', conn?: string): Promise<RelayHello | undefined> {
    try {
      const msg = await this.nc.request(this.subject(kind, conn), '', {
        timeout: HELLO_TIMEOUT_MS,
      });
      return parseHello(msg.string());
    } catch {
      return undefined; // no responders, or a timeout
    }
  }

  private subject(kind: RelayKind, conn?: string): string {
    return this.ns.upstreamSubject(this.uin, kind, conn);
  }
}

function parseHello(body: string): RelayHello | undefined {
  try {
    const h = JSON.parse(body) as Partial<RelayHello>;
    return typeof h.conn === 'string' ? { conn: h.conn, replica: String(h.replica) } : undefined;
  } catch {
    return undefined;
  }
}
