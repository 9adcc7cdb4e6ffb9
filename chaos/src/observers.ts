/**
 * The clients that watch the fleet's events during the chaos run, one of each kind a bot
 * uses: an HTTP POST receiver and a reverse-WebSocket server (both fed by the gateways'
 * deliveries, which promise every event at least once) and forward-WebSocket clients on each
 * gateway (a live stream: nothing is owed to a client while its socket is down).
 *
 * Each counts the traffic's message events by `<self_id>|<raw_message>` (every text the
 * traffic says is unique) and keeps the ids a client would de-duplicate by: `X-Event-Id` over
 * HTTP POST, `message_id` over WebSocket.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

/** Only the traffic's own events are counted (warm-up and steady texts start with this). */
export const EVENT_TEXT_PREFIX = 'ev ';

interface Seen {
  count: number;
  firstAt: number;
  ids: Set<string>;
}

/** What one receiver got: how many times each event, when first, under which ids. */
export class Tally {
  private readonly seen = new Map<string, Seen>();

  /** Notes a frame when it is one of the traffic's message events. */
  noteFrame(frame: unknown, id: string | undefined, at = Date.now()): void {
    if (typeof frame !== 'object' || frame === null) return;
    const f = frame as Record<string, unknown>;
    if (f.post_type !== 'message' || typeof f.raw_message !== 'string') return;
    if (!f.raw_message.startsWith(EVENT_TEXT_PREFIX)) return;
    const key = `${String(f.self_id)}|${f.raw_message}`;
    const s = this.seen.get(key) ?? { count: 0, firstAt: at, ids: new Set<string>() };
    s.count++;
    s.ids.add(id ?? String(f.message_id));
    this.seen.set(key, s);
  }

  count(key: string): number {
    return this.seen.get(key)?.count ?? 0;
  }

  firstAt(key: string): number | undefined {
    return this.seen.get(key)?.firstAt;
  }

  /** Copies beyond the first that carried an id other than the first's (not de-duplicable). */
  foreignIds(key: string): number {
    return Math.max(0, (this.seen.get(key)?.ids.size ?? 0) - 1);
  }
}

function parse(data: Buffer | string): unknown {
  try {
    return JSON.parse(data.toString()) as unknown;
  } catch {
    return undefined;
  }
}

/** An HTTP POST receiver on loopback: answers 204 to everything. */
export class HttpPostObserver {
  readonly tally = new Tally();
  private readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const id = req.headers['x-event-id'];
      this.tally.noteFrame(parse(Buffer.concat(chunks)), typeof id === 'string' ? id : undefined);
      res.writeHead(204).end();
    });
  });

  async start(): Promise<string> {
    await new Promise<void>(r => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise(r => this.server.close(r));
  }
}

/** A reverse-WebSocket server (Universal role) the gateways connect to. */
export class ReverseWsObserver {
  readonly tally = new Tally();
  connections = 0;
  private server?: WebSocketServer;

  async start(): Promise<string> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    this.server = server;
    await new Promise<void>(r => server.once('listening', r));
    server.on('connection', ws => {
      this.connections++;
      ws.on('message', data => this.tally.noteFrame(parse(data as Buffer), undefined));
      ws.on('error', () => undefined);
    });
    return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    for (const ws of server.clients) ws.terminate();
    await new Promise(r => server.close(r));
  }
}

/** When a forward-WebSocket connection was open. */
export interface Window {
  openAt: number;
  closeAt?: number;
}

/**
 * A forward-WebSocket client of one account on one gateway that reconnects every 500 ms while
 * its gateway is away, and remembers when it was connected.
 */
export class ForwardWsClient {
  readonly tally = new Tally();
  readonly windows: Window[] = [];
  private ws?: WebSocket;
  private stopped = false;
  private timer?: NodeJS.Timeout;

  constructor(
    readonly label: string,
    readonly selfId: number,
    private readonly url: string,
  ) {}

  start(): void {
    if (this.stopped) return;
    const ws = new WebSocket(this.url);
    this.ws = ws;
    let window: Window | undefined;
    ws.on('open', () => {
      window = { openAt: Date.now() };
      this.windows.push(window);
    });
    ws.on('message', data => this.tally.noteFrame(parse(data as Buffer), undefined));
    ws.on('error', () => undefined);
    ws.on('close', () => {
      if (window) window.closeAt = Date.now();
      if (!this.stopped) this.timer = setTimeout(() => this.start(), 500);
    });
  }

  /**
   * Whether an event said at `sentAt` was owed to this client: a connection was open from
   * before it (by `settleMs`, its subscription in place) until `graceMs` after it.
   */
  owed(sentAt: number, runEnd: number, settleMs = 500, graceMs = 5_000): boolean {
    return this.windows.some(
      w =>
        w.openAt + settleMs <= sentAt &&
        (w.closeAt ?? runEnd) >= Math.min(sentAt + graceMs, runEnd),
    );
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.ws?.terminate();
  }
}
