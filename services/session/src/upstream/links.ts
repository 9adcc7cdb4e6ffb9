/**
 * How the `onebot` driver reaches its upstream: a {@link Connector} opens an
 * {@link UpstreamLink} — text frames both ways — and the driver does the rest (login check,
 * echo matching, events) the same whichever carries it:
 *
 * - {@link ForwardConnector}: this worker is a WebSocket client of the upstream's forward
 *   server (`mode: 'forward'`);
 * - {@link RelayConnector} (relay-link.ts): the upstream connected in to a gateway replica by
 *   reverse WebSocket, and the gateway relays the socket over NATS (`mode: 'reverse'`).
 */
import type { Logger } from '@cqfleet/runtime';
import WebSocket from 'ws';

export interface UpstreamLink {
  send(frame: string): void;
  /**
   * True while the link holds more unsent bytes than it may (its peer is not reading): the
   * driver then fails actions instead of queueing more. A link without it is never full.
   */
  full?(): boolean;
  /** Lets go of the connection; `closed` resolves. */
  close(): void;
  /** Resolves once the link is over, with why (`<close code> <reason>` where there is one). */
  readonly closed: Promise<string>;
}

export interface Connector {
  /** Where the upstream is, for logs. */
  readonly where: string;
  /**
   * Opens a link; every text frame from then on goes to `onFrame`. Calls `waiting` when the
   * link depends on the upstream, which is not there yet (a reverse upstream that has not
   * connected in), and keeps waiting until it comes or `signal` aborts.
   */
  connect(
    onFrame: (raw: string) => void,
    signal: AbortSignal,
    waiting: () => void,
  ): Promise<UpstreamLink>;
}

/** How often a forward link pings its upstream; one that has not answered by the next is cut. */
export const UPSTREAM_PING_MS = 30_000;

/**
 * Most bytes a forward link queues for an upstream that is not reading (`bufferedAmount`)
 * before its actions are refused. Action frames are small but for media sent as content
 * (media-inline.ts, tens of MiB), and the check is made before each frame, so the bound is
 * what may wait behind the frame being written: past 8 MiB an upstream on any working link has
 * stopped reading, and the 60 s of action frames it would otherwise hold stay in this worker.
 */
export const UPSTREAM_MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/**
 * This worker connects to the upstream's forward-WebSocket server, token as Bearer. The link is
 * pinged every `pingMs` and cut off when the last ping is unanswered: an upstream gone without a
 * FIN (a NAT's idle drop, power lost) would otherwise keep the account online while every action
 * is written into a dead socket until it times out. It is full past `maxBuffered` unsent bytes.
 */
export class ForwardConnector implements Connector {
  constructor(
    readonly where: string,
    private readonly token: string | undefined,
    private readonly log: Logger,
    /** A longer frame closes the connection (1009) rather than being buffered. */
    private readonly maxFrameBytes: number,
    private readonly pingMs = UPSTREAM_PING_MS,
    private readonly maxBuffered = UPSTREAM_MAX_BUFFERED_BYTES,
  ) {}

  connect(onFrame: (raw: string) => void, signal: AbortSignal): Promise<UpstreamLink> {
    const ws = new WebSocket(this.where, {
      handshakeTimeout: 5_000,
      maxPayload: this.maxFrameBytes,
      headers: this.token ? { Authorization: `Bearer ${this.token}` } : {},
    });
    const stop = () => ws.terminate();
    signal.addEventListener('abort', stop, { once: true });
    let answered = true;
    ws.on('pong', () => (answered = true));
    const pinger = setInterval(() => {
      if (ws.readyState !== ws.OPEN) return;
      if (!answered) {
        this.log.warn({ where: this.where }, 'upstream cut off: no answer to the last ping');
        return stop();
      }
      answered = false;
      ws.ping();
    }, this.pingMs);
    pinger.unref();
    const closed = new Promise<string>(resolve =>
      ws.once('close', (code, reason) => {
        clearInterval(pinger);
        signal.removeEventListener('abort', stop);
        resolve(`${code} ${reason.toString()}`);
      }),
    );
    ws.on('message', (data, isBinary) => {
      if (!isBinary) onFrame(data.toString());
    });
    return new Promise((resolve, reject) => {
      ws.once('open', () => {
        ws.off('error', reject);
        ws.on('error', err => this.log.warn({ err: err.message }, 'upstream socket error'));
        resolve({
          send: frame => ws.send(frame),
          full: () => ws.bufferedAmount > this.maxBuffered,
          close: stop,
          closed,
        });
      });
      ws.once('error', reject);
    });
  }
}
