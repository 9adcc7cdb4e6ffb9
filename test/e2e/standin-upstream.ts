/**
 * A stand-in for an upstream OneBot implementation's forward-WebSocket server, for the tests of
 * account changes: it runs account `uin` under its own nickname (so a test can tell which
 * upstream an answer came from), refuses a wrong token at the upgrade (401, as go-cqhttp does),
 * records every connection, never answers `slow_action`, and sends any frame a test gives it.
 */
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { failed, ok } from './upstream-support.js';

/** Actions it answers with success (what it was sent is in `calls`). */
const SENDS = new Set(['send_group_msg', 'send_private_msg', 'send_msg', 'upload_group_file']);

export class StandInUpstream {
  /** The `Authorization` header of every accepted connection, in order. */
  readonly connections: string[] = [];
  /** The actions asked, in order. */
  readonly actions: string[] = [];
  /** The actions asked with their parameters, in order. */
  readonly calls: Array<{ action: string; params: Record<string, unknown> }> = [];
  private readonly sockets = new Set<WebSocket>();
  private server?: WebSocketServer;
  url = '';

  constructor(
    readonly uin: number,
    readonly nickname: string,
    /** The token it accepts now; a test may change it. */
    public token: string,
  ) {}

  async start(): Promise<this> {
    const server = new WebSocketServer({
      port: 0,
      host: '127.0.0.1',
      verifyClient: ({ req }: { req: { headers: Record<string, unknown> } }) =>
        req.headers.authorization === `Bearer ${this.token}`,
    });
    this.server = server;
    await new Promise(r => server.once('listening', r));
    server.on('connection', (ws, req) => {
      this.connections.push(String(req.headers.authorization));
      this.sockets.add(ws);
      ws.on('close', () => this.sockets.delete(ws));
      ws.on('message', data => {
        const req = JSON.parse(String(data)) as {
          action: string;
          params: Record<string, unknown>;
          echo: unknown;
        };
        this.actions.push(req.action);
        this.calls.push({ action: req.action, params: req.params });
        const answer =
          req.action === 'get_login_info'
            ? ok({ user_id: this.uin, nickname: this.nickname })
            : req.action === 'get_version_info'
              ? ok({ app_name: 'stand-in', app_version: '1' })
              : req.action === 'slow_action'
                ? undefined
                : SENDS.has(req.action)
                  ? ok({ message_id: this.calls.length })
                  : failed(1404, `不支持的Api ${req.action}`);
        if (answer) ws.send(JSON.stringify({ ...answer, echo: req.echo }));
      });
    });
    this.url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    return this;
  }

  /** Sends a text frame, as it is, on every open connection. */
  push(raw: string): void {
    for (const s of this.sockets) s.send(raw);
  }

  /** Connections open now. */
  get open(): number {
    return this.sockets.size;
  }

  close(): void {
    for (const s of this.sockets) s.terminate();
    this.server?.close();
  }
}
