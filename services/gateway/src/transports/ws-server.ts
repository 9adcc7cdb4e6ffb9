/**
 * The forward WebSocket server (reference §3.4):
 *
 * | path (optionally after `/{self_id}`) | actions | events | lifecycle on connect |
 * | `/api`                               | yes     | no     | no                   |
 * | `/event`                             | no      | yes    | yes                  |
 * | `/` and any other path               | yes     | yes    | yes                  |
 *
 * Authentication happens before the upgrade (401 / 403). Each request is handled on its own, so
 * replies may come out of order; `echo` comes back unchanged with its JSON type, and is left
 * out only when the request had none. Binary frames are ignored; a frame that is not a JSON
 * object is answered with a failure instead of closing the socket.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { failedTag, type MessageFormat, serialize, toFailure, withEcho } from '@cqfleet/onebot';
import type { Logger } from '@cqfleet/runtime';
import { type WebSocket, WebSocketServer } from 'ws';
import type { AccountDirectory } from '../accounts/directory.js';
import type { Config } from '../config.js';
import type { EventHub } from '../events/event-hub.js';
import type { FilterRegistry } from '../events/filter-registry.js';
import type { ActionRouter } from '../routing/router.js';
import { authenticate } from './auth.js';
import { pickAccount, splitAccountPrefix } from './target.js';

export type WsRole = 'api' | 'event' | 'universal';

export function roleOf(path: string): WsRole {
  if (/^\/api\/?$/.test(path)) return 'api';
  if (/^\/event\/?$/.test(path)) return 'event';
  return 'universal';
}

function reject(socket: Duplex, status: number, reason: string, body = ''): void {
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

export class ForwardWsServer {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  /** go-cqhttp sends the time the server started in every lifecycle frame. */
  private readonly startedAt = Math.floor(Date.now() / 1000);

  constructor(
    private readonly router: ActionRouter,
    private readonly directory: AccountDirectory,
    private readonly hub: EventHub,
    private readonly filters: FilterRegistry,
    private readonly config: Config,
    private readonly log: Logger,
  ) {}

  get connections(): number {
    return this.wss.clients.size;
  }

  attach(server: Server): void {
    server.on('request', (_req, res) => {
      // A plain HTTP request to the WebSocket port (gorilla's answer).
      res.writeHead(400);
      res.end('Bad Request');
    });
    server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://gateway');
    const auth = authenticate(this.config.accessToken, req.headers, url.searchParams);
    if (!auth.ok)
      return reject(socket, auth.status, auth.status === 401 ? 'Unauthorized' : 'Forbidden');
    const { selfId: pathSelfId, rest } = splitAccountPrefix(url.pathname);
    let selfId: number;
    try {
      selfId = pickAccount(
        this.directory,
        pathSelfId,
        req.headers['x-self-id'],
        url.searchParams.get('self_id') ?? undefined,
      );
    } catch (err) {
      return reject(socket, 400, 'Bad Request', serialize(toFailure(err)));
    }
    const role = roleOf(rest);
    this.wss.handleUpgrade(req, socket, head, ws =>
      this.accept(ws, selfId, role, this.config.messageFormat),
    );
  }

  private accept(ws: WebSocket, selfId: number, role: WsRole, format: MessageFormat): void {
    let unsubscribe: (() => void) | undefined;
    if (role !== 'api') {
      ws.send(
        JSON.stringify({
          _post_method: 2,
          meta_event_type: 'lifecycle',
          post_type: 'meta_event',
          self_id: selfId,
          sub_type: 'connect',
          time: this.startedAt,
        }) + '\n',
      );
      unsubscribe = this.hub.subscribe(selfId, event => {
        if (event.postType === 'message_sent' && !this.config.reportSelfMessage) return;
        if (!this.filters.passes(this.config.eventFilter, event.view(format))) return;
        if (ws.readyState === ws.OPEN) ws.send(event.text(format));
      });
    }
    if (role !== 'event')
      ws.on(
        'message',
        (data, isBinary) => !isBinary && this.request(ws, selfId, format, data.toString()),
      );
    ws.on('close', () => unsubscribe?.());
    ws.on('error', err => this.log.debug({ err: err.message, selfId }, 'ws client error'));
  }

  private request(ws: WebSocket, selfId: number, format: MessageFormat, text: string): void {
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      frame = undefined;
    }
    if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
      ws.send(serialize(failedTag('INVALID_PARAMS', '请求不是 JSON 对象')));
      return;
    }
    const req = frame as { action?: unknown; params?: unknown; echo?: unknown };
    const hasEcho = 'echo' in req;
    const action = typeof req.action === 'string' ? req.action : '';
    void this.router.call(action, req.params ?? {}, { selfId, format }).then(response => {
      if (ws.readyState === ws.OPEN) ws.send(serialize(withEcho(response, hasEcho, req.echo)));
    });
  }

  close(): void {
    for (const ws of this.wss.clients) ws.close(1001, 'gateway stopping');
  }
}
