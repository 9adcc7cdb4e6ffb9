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
   * True while the link holds more unsent bytes than it may (its peer is not reading, see
   * BufferLimits): the driver then fails actions instead of queueing more. A link without it
   * is never full.
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
 * When a link is full (a relayed one, relay-link.ts, by the same numbers: what NATS has not
 * taken): its upstream has stopped reading, not merely is reading a large
 * frame. `bufferedAmount` counts the frame being written too, and media sent as content
 * (media-inline.ts) makes one action frame tens of MiB: over a WAN link a 40 MiB video stays
 * buffered for seconds while the upstream reads at its link's speed, and refusing every action
 * behind it then refused an upstream that works. So a link is full
 *
 * - past `hardBytes` unsent (128 MiB: two of the largest action frames — an inlined file is
 *   held to SESSION_UPSTREAM_MAX_FRAME_BYTES, 64 MiB by default — the most the worker holds
 *   for one account whatever the link's speed), or
 * - past `softBytes` unsent (8 MiB: more than the action frames of a working link but for
 *   media) when none of it has been written for `stallMs` (10 s: a working link moves bytes
 *   every RTT; one that moves none for this long is not reading, and the 60 s of action frames
 *   it would otherwise hold stay in this worker).
 */
export interface BufferLimits {
  softBytes: number;
  hardBytes: number;
  stallMs: number;
}

export const UPSTREAM_BUFFER_LIMITS: Readonly<BufferLimits> = {
  softBytes: 8 * 1024 * 1024,
  hardBytes: 128 * 1024 * 1024,
  stallMs: 10_000,
};

/**
 * What a link has queued for its upstream, and whether it is full (BufferLimits). Bytes left
 * the buffer since the last look when either
 *
 * - fewer are buffered than then plus what was queued since (the buffer may grow while the
 *   upstream reads, as new frames come), or
 * - the write in flight has less left to hand to the kernel (`inFlight`: libuv's write queue,
 *   where there is one). `bufferedAmount` counts a frame until the whole of it is written, so
 *   one 40 MiB frame read at a WAN link's speed shows no progress there for many seconds;
 *   only the write queue shows it being read.
 */
export class SendBacklog {
  private lastBytes = 0;
  private queued = 0;
  private lastInFlight = Infinity;
  /** When bytes last left the buffer (or it was last under the soft bound). */
  private lastProgress: number;

  constructor(
    private readonly limits: BufferLimits,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.lastProgress = now();
  }

  /** A frame of `bytes` was handed to the socket. */
  added(bytes: number): void {
    this.queued += bytes;
  }

  /**
   * Whether the link is full, `buffered` being its unsent bytes now (`bufferedAmount`) and
   * `inFlight`, when known, what the write in flight has still to hand to the kernel.
   */
  full(buffered: number, inFlight?: number): boolean {
    const drained = this.lastBytes + this.queued - buffered > 0;
    const moved = inFlight !== undefined && inFlight < this.lastInFlight;
    this.lastBytes = buffered;
    this.queued = 0;
    this.lastInFlight = inFlight ?? Infinity;
    const now = this.now();
    if (drained || moved || buffered <= this.limits.softBytes) this.lastProgress = now;
    if (buffered > this.limits.hardBytes) return true;
    return buffered > this.limits.softBytes && now - this.lastProgress >= this.limits.stallMs;
  }
}

/**
 * libuv's write queue of a socket: the bytes of the write in flight not yet in the kernel.
 * Node keeps it on the socket's handle (`writeQueueSize`) without documenting it; where it is
 * not a number (another handle), progress is read from `bufferedAmount` alone.
 */
function inFlightOf(ws: WebSocket): number | undefined {
  const socket = (ws as unknown as { _socket?: { _handle?: { writeQueueSize?: unknown } } })
    ._socket;
  const size = socket?._handle?.writeQueueSize;
  return typeof size === 'number' && Number.isFinite(size) ? size : undefined;
}

/**
 * This worker connects to the upstream's forward-WebSocket server, token as Bearer. The link is
 * pinged every `pingMs` and cut off when the last ping is unanswered: an upstream gone without a
 * FIN (a NAT's idle drop, power lost) would otherwise keep the account online while every action
 * is written into a dead socket until it times out. It is full by `limits` (BufferLimits).
 */
export class ForwardConnector implements Connector {
  constructor(
    readonly where: string,
    private readonly token: string | undefined,
    private readonly log: Logger,
    /** A longer frame closes the connection (1009) rather than being buffered. */
    private readonly maxFrameBytes: number,
    private readonly pingMs = UPSTREAM_PING_MS,
    private readonly limits: BufferLimits = UPSTREAM_BUFFER_LIMITS,
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
        const backlog = new SendBacklog(this.limits);
        resolve({
          send: frame => {
            backlog.added(Buffer.byteLength(frame));
            ws.send(frame);
          },
          full: () => backlog.full(ws.bufferedAmount, inFlightOf(ws)),
          close: stop,
          closed,
        });
      });
      ws.once('error', reject);
    });
  }
}
