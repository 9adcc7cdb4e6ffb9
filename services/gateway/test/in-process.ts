/**
 * The gateway's client transports in this process, for the fast `unit` project: the real HTTP
 * API and forward-WebSocket server, token table and limits, on loopback ports. What lies behind
 * them (NATS, Redis, session workers) does not run in unit tests; its place is taken by
 * `tableRouter`, which answers from the real action table (unknown name, the token's accounts
 * and allow-list, the parameter schema) without executing anything.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RateLimit } from '@cqfleet/contracts';
import {
  type ActionResponse,
  failedTag,
  ok,
  parseParams,
  resolveAction,
  toFailure,
} from '@cqfleet/onebot';
import { createLogger, metricsRegistry } from '@cqfleet/runtime';
import { allowsAccount, allowsAction, TokenTable } from '../src/auth/tokens.js';
import type { Settings } from '../src/config.js';
import type { ActionCalls, CallOptions } from '../src/routing/router.js';
import { createHttpApi } from '../src/transports/http-api.js';
import { createBoundedServer } from '../src/transports/http-server.js';
import { ForwardWsServer } from '../src/transports/ws-server.js';

export const OP = 'op-secret';
export const ALPHA = 'alpha-secret';
export const ACCOUNTS = [10001, 10002];
export const silent = createLogger('test', 'silent');

export const settings: Settings = {
  messageFormat: 'string',
  reportSelfMessage: false,
  filter: '',
  rateLimit: RateLimit.parse({}),
};

/** Answers from the action table: what a request would be routed as, never run. */
export const tableRouter: ActionCalls = {
  async call(wireName: string, rawParams: unknown, opts: CallOptions): Promise<ActionResponse> {
    const resolved = resolveAction(wireName);
    if (!resolved) return failedTag('API_NOT_FOUND');
    const { grant } = opts;
    if (grant && !allowsAccount(grant, opts.selfId)) return failedTag('ACCOUNT_FORBIDDEN');
    if (grant && !allowsAction(grant, resolved.name)) return failedTag('ACCOUNT_FORBIDDEN');
    try {
      parseParams(resolved.name, rawParams);
    } catch (err) {
      return toFailure(err);
    }
    return ok({ action: resolved.name, self_id: opts.selfId });
  },
};

const directory = {
  has: (uin: number) => ACCOUNTS.includes(uin),
  list: () => [...ACCOUNTS],
};

export const tokens = () => new TokenTable(OP, [{ token: ALPHA, accounts: [10001] }]);

export interface Limits {
  maxBodyBytes?: number;
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  maxBuffered?: number;
  /** GATEWAY_WS_MAX_IN_FLIGHT per connection, GATEWAY_HTTP_MAX_IN_FLIGHT per account. */
  maxInFlight?: number;
  /** GATEWAY_HTTP_RATE_LIMIT_QUEUE. */
  rateLimitQueue?: number;
  /** The server's `rate_limit` (off by default, as go-cqhttp). */
  rateLimit?: Partial<RateLimit>;
  /** GATEWAY_WS_MAX_CONNECTIONS_PER_ACCOUNT. */
  maxPerAccount?: number;
  /** GATEWAY_HTTP_BODY_BYTES_PER_TOKEN. */
  bodyBytesPerToken?: number;
}

const limitsOf = (l: Limits) => ({
  maxBodyBytes: l.maxBodyBytes ?? 48 * 1024 * 1024,
  headersTimeoutMs: l.headersTimeoutMs ?? 10_000,
  requestTimeoutMs: l.requestTimeoutMs ?? 120_000,
  maxBuffered: l.maxBuffered ?? 4 * 1024 * 1024,
  maxInFlight: l.maxInFlight ?? 1_000,
  rateLimitQueue: l.rateLimitQueue ?? 100,
  maxPerAccount: l.maxPerAccount ?? 64,
  bodyBytesPerToken: l.bodyBytesPerToken ?? 256 * 1024 * 1024,
});

const settingsOf = (l: Limits): Settings =>
  l.rateLimit ? { ...settings, rateLimit: RateLimit.parse(l.rateLimit) } : settings;

export interface Running {
  port: number;
  url: string;
  server: Server;
  close(): Promise<void>;
}

async function listen(server: Server, scheme: 'http' | 'ws'): Promise<Running> {
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `${scheme}://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise(r => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export function startHttpApi(limits: Limits = {}, router: ActionCalls = tableRouter) {
  const l = limitsOf(limits);
  return listen(
    createHttpApi({
      router,
      directory,
      tokens: tokens(),
      settings: settingsOf(limits),
      limits: l,
      log: silent,
    }),
    'http',
  );
}

export async function startForwardWs(limits: Limits = {}, router: ActionCalls = tableRouter) {
  const l = limitsOf(limits);
  const ws = new ForwardWsServer({
    router,
    directory,
    // Only `/api` connections are made in unit tests: no events, no heartbeats, no upstreams.
    hub: { subscribe: () => () => undefined, flushed: async () => undefined },
    filters: { passes: () => true },
    heartbeats: { subscribe: () => () => undefined },
    tokens: tokens(),
    settings: settingsOf(limits),
    limits: {
      maxPayload: l.maxBodyBytes,
      maxBuffered: l.maxBuffered,
      maxInFlight: l.maxInFlight,
      maxPerAccount: l.maxPerAccount,
    },
    relay: { upgrade: (_req, socket) => void socket.destroy() },
    log: silent,
  });
  const server = createBoundedServer(l);
  ws.attach(server);
  const running = await listen(server, 'ws');
  return { ...running, close: () => (ws.close(), running.close()) };
}

/** The current value of `cqfleet_gateway_refused_total{reason}` in this process. */
export async function refused(reason: string): Promise<number> {
  const metric = metricsRegistry.getSingleMetric('cqfleet_gateway_refused_total');
  const values = metric ? (await metric.get()).values : [];
  return values.find(v => v.labels.reason === reason)?.value ?? 0;
}
