/**
 * A reverse-WebSocket OneBot backend for tests (what NoneBot or Koishi would be): accepts the
 * gateway's connections, records their handshake headers and frames, and can call actions.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

export interface BackendConnection {
  headers: IncomingHttpHeaders;
  path: string;
  ws: WebSocket;
  frames: Array<Record<string, unknown>>;
  closed: boolean;
}

export class ReverseBackend {
  readonly connections: BackendConnection[] = [];
  private wss?: WebSocketServer;
  private nextEcho = 1;
  port = 0;

  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.wss = new WebSocketServer({ host: '127.0.0.1', port: this.port });
    await new Promise<void>(r => this.wss!.once('listening', () => r()));
    this.port = (this.wss.address() as AddressInfo).port;
    this.wss.on('connection', (ws, req) => {
      const c: BackendConnection = {
        headers: req.headers,
        path: req.url ?? '/',
        ws,
        frames: [],
        closed: false,
      };
      this.connections.push(c);
      ws.on('message', d => c.frames.push(JSON.parse(d.toString()) as Record<string, unknown>));
      ws.on('close', () => (c.closed = true));
    });
    return this;
  }

  /** The newest open connection with `role` (X-Client-Role). */
  open(role = 'Universal'): BackendConnection | undefined {
    return [...this.connections]
      .reverse()
      .find(c => !c.closed && c.headers['x-client-role'] === role);
  }

  /** Every event frame received on any connection, in order. */
  events(): Array<Record<string, unknown>> {
    return this.connections.flatMap(c => c.frames.filter(f => 'post_type' in f));
  }

  /** Calls an action on a connection and resolves with the reply frame. */
  async call(
    c: BackendConnection,
    action: string,
    params: Record<string, unknown> = {},
  ): Promise<Record<string, unknown>> {
    const echo = `b${this.nextEcho++}`;
    c.ws.send(JSON.stringify({ action, params, echo }));
    const end = Date.now() + 5_000;
    for (;;) {
      const reply = c.frames.find(f => f.echo === echo);
      if (reply) return reply;
      if (Date.now() > end) throw new Error(`no reply to ${action}`);
      await new Promise(r => setTimeout(r, 10));
    }
  }

  async stop(): Promise<void> {
    for (const c of this.connections) c.ws.terminate();
    await new Promise(r => this.wss?.close(r));
    this.wss = undefined;
  }
}
