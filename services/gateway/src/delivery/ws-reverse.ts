/**
 * Reverse WebSocket (reference §3.5) for one account, by the gateway replica holding the lease
 * of that delivery: one Universal connection, or separate API and Event connections.
 *
 * - Handshake headers `X-Self-ID`, `X-Client-Role`, `User-Agent`, and `Authorization:
 *   <scheme> <token>` (scheme `Bearer` by default; go-cqhttp sends `Token`).
 * - Any close, for whatever reason, is followed by a reconnect with back-off (go-cqhttp's
 *   Universal client only reconnects when the next event fails to send, and loses it).
 * - Events come from the delivery's durable consumer: what happened while disconnected is sent
 *   after reconnecting, up to the replay window. `lifecycle/connect` comes first on Universal
 *   and Event connections; heartbeats follow.
 * - The server's API calls are held to the endpoint's grant (auth/tokens.ts `outboundGrant`).
 */
import type { ReverseWsEndpoint } from '@cqfleet/contracts';
import type { MetaEvent } from '@cqfleet/onebot';
import { type Logger, sleep } from '@cqfleet/runtime';
import type { FeedEvent } from './event-feed.js';
import WebSocket from 'ws';
import type { Grant } from '../auth/tokens.js';
import type { Settings } from '../config.js';
import type { FilterRegistry } from '../events/filter-registry.js';
import { eventView } from '../events/view.js';
import type { ActionRouter } from '../routing/router.js';
import { TokenBucket } from '../transports/token-bucket.js';
import { serveRequests } from '../transports/ws-requests.js';
import { USER_AGENT } from './http-post.js';

type Role = 'Universal' | 'API' | 'Event';

export interface ReverseWsDeps {
  settings: Settings;
  filters: FilterRegistry;
  router: ActionRouter;
  /** What the server may call over the connection (auth/tokens.ts `outboundGrant`). */
  grant: Grant;
  /** GATEWAY_WS_MAX_BUFFERED_BYTES, for the replies to the server's requests. */
  maxBuffered: number;
  /** GATEWAY_WS_MAX_IN_FLIGHT. */
  maxInFlight: number;
  log: Logger;
}

const MAX_BACKOFF_MS = 30_000;

/** One outbound connection with its reconnect loop. */
class ReverseConnection {
  ws?: WebSocket;
  connects = 0;
  private readonly abort = new AbortController();
  private loop?: Promise<void>;
  private waiters: Array<() => void> = [];

  constructor(
    readonly role: Role,
    private readonly url: string,
    private readonly def: ReverseWsEndpoint,
    private readonly selfId: number,
    private readonly onOpen: (ws: WebSocket) => void,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.loop = this.run().catch((err: unknown) =>
      this.log.error({ err, url: this.url }, 'reverse WS loop failed'),
    );
  }

  get open(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** Resolves when the connection is open (or the delivery stops). */
  waitOpen(): Promise<void> {
    if (this.open || this.abort.signal.aborted) return Promise.resolve();
    return new Promise(resolve => this.waiters.push(resolve));
  }

  private headers(): Record<string, string> {
    const h: Record<string, string> = {
      'X-Self-ID': String(this.selfId),
      'X-Client-Role': this.role,
      'User-Agent': USER_AGENT,
    };
    if (this.def.access_token)
      h.Authorization = `${this.def.authorization_scheme} ${this.def.access_token}`;
    return h;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    for (let failures = 0; !signal.aborted;) {
      const started = Date.now();
      const closed = await new Promise<string>(resolve => {
        const ws = new WebSocket(this.url, {
          headers: this.headers(),
          handshakeTimeout: 10_000,
          maxPayload: 64 * 1024 * 1024,
        });
        this.ws = ws;
        ws.once('open', () => {
          this.connects++;
          this.onOpen(ws);
          for (const wake of this.waiters.splice(0)) wake();
        });
        ws.once('close', (code, reason) => resolve(`${code} ${reason.toString()}`));
        ws.on('error', err =>
          this.log.debug({ err: err.message, url: this.url }, 'reverse WS error'),
        );
        signal.addEventListener('abort', () => ws.close(1001, 'gateway stopping'), { once: true });
      });
      this.ws = undefined;
      if (signal.aborted) break;
      // A connection that lived a while was fine: start the back-off again.
      failures = Date.now() - started > 10_000 ? 0 : failures + 1;
      const delay = Math.min(
        MAX_BACKOFF_MS,
        this.def.reconnect_interval_ms * 2 ** Math.max(0, failures - 1),
      );
      this.log.info(
        { url: this.url, role: this.role, selfId: this.selfId, closed, retryInMs: delay },
        'reverse WS closed; reconnecting',
      );
      await sleep(delay, signal).catch(() => undefined);
    }
    for (const wake of this.waiters.splice(0)) wake();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }
}

export class ReverseWsDelivery {
  readonly connections: ReverseConnection[] = [];
  private readonly eventConn?: ReverseConnection;
  private readonly limiter: TokenBucket;

  constructor(
    def: ReverseWsEndpoint,
    private readonly selfId: number,
    private readonly deps: ReverseWsDeps,
  ) {
    // One rate-limit bucket for the client, shared by its connections (go-cqhttp).
    this.limiter = new TokenBucket(deps.settings.rateLimit);
    const make = (role: Role, url: string) =>
      new ReverseConnection(role, url, def, selfId, ws => this.opened(role, ws), deps.log);
    if (def.universal) this.connections.push(make('Universal', def.universal));
    else {
      if (def.api) this.connections.push(make('API', def.api));
      if (def.event) this.connections.push(make('Event', def.event));
    }
    this.eventConn = this.connections.find(c => c.role !== 'API');
  }

  get hasEvents(): boolean {
    return this.eventConn !== undefined;
  }

  start(): void {
    for (const c of this.connections) c.start();
  }

  private opened(role: Role, ws: WebSocket): void {
    if (role !== 'API')
      ws.send(
        JSON.stringify({
          meta_event_type: 'lifecycle',
          post_type: 'meta_event',
          self_id: this.selfId,
          sub_type: 'connect',
          time: Math.floor(Date.now() / 1000),
        }) + '\n',
      );
    if (role !== 'Event')
      serveRequests(
        ws,
        {
          selfId: this.selfId,
          settings: this.deps.settings,
          // This account's actions its grant allows, never the operator's: ACCOUNT_FORBIDDEN
          // or OPERATOR_ONLY otherwise, as a direct call with a token.
          grant: this.deps.grant,
          limiter: this.limiter,
          maxBuffered: this.deps.maxBuffered,
          maxInFlight: this.deps.maxInFlight,
        },
        this.deps.router,
      );
  }

  private send(text: string): Promise<boolean> {
    const ws = this.eventConn?.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.resolve(false);
    return new Promise(resolve => ws.send(text, err => resolve(!err)));
  }

  /** The feed's delivery function; waits for the connection when it is down. */
  deliver = async ({ event }: FeedEvent): Promise<boolean> => {
    const { settings, filters } = this.deps;
    if (event.post_type === 'message_sent' && !settings.reportSelfMessage) return true;
    const view = eventView(event, settings.messageFormat);
    if (!filters.passes(settings.filter, view)) return true;
    await this.eventConn?.waitOpen();
    return this.send(JSON.stringify(view) + '\n');
  };

  heartbeat = (beat: MetaEvent): void => {
    if (this.deps.filters.passes(this.deps.settings.filter, beat))
      void this.send(JSON.stringify(beat) + '\n');
  };

  async stop(): Promise<void> {
    await Promise.all(this.connections.map(c => c.stop()));
  }
}
