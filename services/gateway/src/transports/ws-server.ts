/**
 * The forward WebSocket server (reference §3.4):
 *
 * | path (optionally after `/{self_id}`) | actions | events | lifecycle on connect |
 * | `/api`                               | yes     | no     | no                   |
 * | `/event`                             | no      | yes    | yes                  |
 * | `/` and any other path               | yes     | yes    | yes                  |
 *
 * `/upstream` is not a client path: reverse-WebSocket upstreams connect there (upstream/relay.ts).
 *
 * Authentication and the account check happen before the upgrade, answered with the failure
 * envelope: 401 TOKEN_MISSING, 403 TOKEN_INVALID or ACCOUNT_FORBIDDEN, 400 when the account is
 * unknown or ambiguous. Each connection serves one account, with its own rate-limit bucket
 * (go-cqhttp), the `ws` settings of the config file, heartbeats, and only the events its token
 * may see. A frame over GATEWAY_MAX_BODY_BYTES closes the connection (1009); a client that
 * leaves more than GATEWAY_WS_MAX_BUFFERED_BYTES unread is closed as a slow consumer (1008).
 * One account has at most GATEWAY_WS_MAX_CONNECTIONS_PER_ACCOUNT connections on a replica:
 * past it the upgrade is answered 429 RATE_LIMIT_QUEUE_FULL. Every other bound here is per
 * connection, so without it a tenant multiplied them by opening sockets.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { RELAY_PATH } from '@cqfleet/contracts';
import { serialize, toFailure } from '@cqfleet/onebot';
import { counter, gauge, type Logger, Slots } from '@cqfleet/runtime';
import { type WebSocket, WebSocketServer } from 'ws';
import type { AccountLookup } from '../accounts/directory.js';
import type { Grant, TokenTable } from '../auth/tokens.js';
import type { Settings } from '../config.js';
import type { EventHub } from '../events/event-hub.js';
import type { FilterRegistry } from '../events/filter-registry.js';
import type { Heartbeats } from '../events/heartbeat.js';
import { authRefusal, countRefusal, refusalBody, writeRawRefusal } from '../refusals.js';
import type { ActionCalls } from '../routing/router.js';
import type { UpstreamRelay } from '../upstream/relay.js';
import { pickAccount, splitAccountPrefix } from './target.js';
import { TokenBucket } from './token-bucket.js';
import { serveRequests } from './ws-requests.js';
import { sendBounded } from './ws-send.js';

const delivered = counter(
  'cqfleet_gateway_events_delivered_total',
  'Events handed to clients, by transport',
  ['transport'],
);
const open = new Set<WebSocketServer>();
gauge('cqfleet_gateway_ws_connections', 'Open forward WebSocket connections', [], function () {
  let n = 0;
  for (const wss of open) n += wss.clients.size;
  this.set(n);
});

export type WsRole = 'api' | 'event' | 'universal';

export function roleOf(path: string): WsRole {
  if (/^\/api\/?$/.test(path)) return 'api';
  if (/^\/event\/?$/.test(path)) return 'event';
  return 'universal';
}

export interface WsLimits {
  /** Largest frame a client may send (GATEWAY_MAX_BODY_BYTES). */
  maxPayload: number;
  /** GATEWAY_WS_MAX_BUFFERED_BYTES. */
  maxBuffered: number;
  /** GATEWAY_WS_MAX_IN_FLIGHT. */
  maxInFlight: number;
  /** GATEWAY_WS_MAX_CONNECTIONS_PER_ACCOUNT. */
  maxPerAccount: number;
}

export interface ForwardWsDeps {
  router: ActionCalls;
  directory: AccountLookup;
  hub: Pick<EventHub, 'subscribe' | 'flushed'>;
  filters: Pick<FilterRegistry, 'passes'>;
  heartbeats: Pick<Heartbeats, 'subscribe'>;
  tokens: TokenTable;
  settings: Settings;
  limits: WsLimits;
  /** Takes the sockets of reverse-WebSocket upstreams (at RELAY_PATH). */
  relay: Pick<UpstreamRelay, 'upgrade'>;
  log: Logger;
}

export class ForwardWsServer {
  private readonly wss: WebSocketServer;
  /** go-cqhttp sends the time the server started in every lifecycle frame. */
  private readonly startedAt = Math.floor(Date.now() / 1000);
  /** Connections of each account: open, or between the account check and the upgrade. */
  private readonly perAccount: Slots;

  constructor(private readonly deps: ForwardWsDeps) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: deps.limits.maxPayload });
    this.perAccount = new Slots(deps.limits.maxPerAccount);
    open.add(this.wss);
  }

  get connections(): number {
    return this.wss.clients.size;
  }

  attach(server: Server): void {
    server.on('request', (_req, res) => {
      // A plain HTTP request to the WebSocket port (gorilla's answer).
      res.writeHead(400);
      res.end('Bad Request');
    });
    server.on('upgrade', (req, socket, head) => {
      this.upgrade(req, socket, head).catch((err: unknown) => {
        this.deps.log.warn({ err }, 'WebSocket upgrade failed');
        socket.destroy();
      });
    });
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://gateway');
    // `/upstream` or `/upstream/`: upstreams' reverse URLs are typed by hand.
    if (url.pathname.replace(/\/+$/, '') === RELAY_PATH)
      return this.deps.relay.upgrade(req, socket, head, url);
    const auth = this.deps.tokens.authenticate(req.headers, url.searchParams);
    if (!auth.ok) {
      const refusal = authRefusal(auth.status);
      countRefusal(refusal.reason);
      return writeRawRefusal(socket, refusal.status, refusalBody(refusal.tag));
    }
    const { selfId: pathSelfId, rest } = splitAccountPrefix(url.pathname);
    let selfId: number;
    try {
      selfId = pickAccount(
        this.deps.directory,
        auth.grant,
        pathSelfId,
        req.headers['x-self-id'],
        url.searchParams.get('self_id') ?? undefined,
      );
    } catch (err) {
      const failure = toFailure(err);
      return writeRawRefusal(
        socket,
        failure.msg === 'ACCOUNT_FORBIDDEN' ? 403 : 400,
        serialize(failure),
      );
    }
    const release = this.perAccount.enter(selfId);
    if (!release) {
      countRefusal('too_many_connections');
      const max = this.deps.limits.maxPerAccount;
      return writeRawRefusal(
        socket,
        429,
        refusalBody('RATE_LIMIT_QUEUE_FULL', `账号 ${selfId} 的 WebSocket 连接数已达上限 (${max})`),
      );
    }
    const role = roleOf(rest);
    let accepted = false;
    const upgrade = () =>
      this.wss.handleUpgrade(req, socket, head, ws => {
        accepted = true;
        ws.once('close', release);
        this.accept(ws, selfId, role, auth.grant);
      });
    // The account's events must reach this client from the moment its socket is open: the
    // subscription is made and confirmed by NATS before the upgrade completes (held by a
    // listener that drops what comes before the client's own one is attached).
    const hold = role === 'api' ? undefined : this.deps.hub.subscribe(selfId, () => undefined);
    try {
      if (hold) await this.deps.hub.flushed();
      upgrade();
    } finally {
      hold?.();
      // ws answers a failed handshake itself and never calls back: the slot is given back.
      if (!accepted) release();
    }
  }

  private accept(ws: WebSocket, selfId: number, role: WsRole, grant: Grant): void {
    const { settings, hub, filters, heartbeats, router, limits } = this.deps;
    const stops: Array<() => void> = [];
    const send = (data: string | Buffer) => sendBounded(ws, data, limits.maxBuffered);
    if (role !== 'api') {
      send(
        JSON.stringify({
          _post_method: 2,
          meta_event_type: 'lifecycle',
          post_type: 'meta_event',
          self_id: selfId,
          sub_type: 'connect',
          time: this.startedAt,
        }) + '\n',
      );
      stops.push(
        hub.subscribe(selfId, event => {
          if (event.postType === 'message_sent' && !settings.reportSelfMessage) return;
          // The event is parsed only when a filter has to look at it.
          if (
            settings.filter &&
            !filters.passes(settings.filter, event.view(settings.messageFormat))
          )
            return;
          if (send(event.frame(settings.messageFormat))) delivered.inc({ transport: 'ws' });
        }),
        heartbeats.subscribe(selfId, beat => {
          if (filters.passes(settings.filter, beat)) send(JSON.stringify(beat) + '\n');
        }),
      );
    }
    if (role !== 'event')
      serveRequests(
        ws,
        {
          selfId,
          settings,
          grant,
          limiter: new TokenBucket(settings.rateLimit),
          maxBuffered: limits.maxBuffered,
          maxInFlight: limits.maxInFlight,
        },
        router,
      );
    ws.on('close', () => stops.forEach(stop => stop()));
    ws.on('error', err => {
      // ws closes the connection itself (1009) when a frame is over maxPayload.
      if ((err as { code?: string }).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH')
        countRefusal('frame_too_large');
      this.deps.log.debug({ err: err.message, selfId }, 'ws client error');
    });
  }

  /** The client connections open now (a stopping gateway closes them). */
  sockets(): Iterable<WebSocket> {
    return this.wss.clients;
  }

  /** Tells every client the server is going away (1001). */
  close(): void {
    for (const ws of this.wss.clients) ws.close(1001, 'gateway stopping');
  }
}
