/**
 * Gateway configuration: `GATEWAY_*` environment variables for the process and the defaults of
 * every endpoint, and optionally a file (`GATEWAY_CONFIG_FILE`, JSON or YAML) for what does not
 * fit in variables — account tokens, per-endpoint settings, HTTP POST receivers and reverse
 * WebSocket servers (templates for many accounts; an account record may add its own).
 * Parsed once, at src/main.ts.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import {
  AccountSelector,
  EndpointSettings,
  HttpPostEndpoint,
  RateLimit,
  ReverseWsEndpoint,
} from '@cqfleet/contracts';
import {
  type CommonConfig,
  envBool,
  envInt,
  type Env,
  readCommonConfig,
  readPrefixed,
} from '@cqfleet/runtime';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export const DEFAULT_MAX_BODY_BYTES = 48 * 1024 * 1024;
export const DEFAULT_WS_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
export const DEFAULT_RATE_LIMIT_QUEUE = 100;

const Schema = z.object({
  /** Address the HTTP API and WebSocket servers bind. @default '127.0.0.1' (use 0.0.0.0 in containers) */
  host: z.string().default('127.0.0.1'),
  /** HTTP API. @default 5700 */
  httpPort: envInt(5700, 0, 65535),
  /** Forward WebSocket. @default 8080 */
  wsPort: envInt(8080, 0, 65535),
  /**
   * Operator access token: sees every account. Empty (and no account tokens in the file): no
   * authentication. Read from `Authorization` with any scheme word, or `access_token`.
   */
  accessToken: z.string().default(''),
  /** Address of the history service. @default '127.0.0.1:7100' */
  historyAddr: z.string().default('127.0.0.1:7100'),
  /** Default `message` format of every endpoint: `string` (CQ code, go-cqhttp's default) or `array`. */
  messageFormat: z.enum(['string', 'array']).default('string'),
  /** Default: deliver the bots' own messages as `message_sent` events. @default false */
  reportSelfMessage: envBool(false),
  /** Default event filter file of every endpoint (go-cqhttp syntax, reference §5). */
  eventFilter: z.string().default(''),
  /** Longest an action may take end to end. @default 30000 ms */
  actionTimeoutMs: envInt(30_000, 100),
  /**
   * `_async` actions: `background` answers `status: "async"` at once (OneBot v11);
   * `sync` runs them and answers normally, as go-cqhttp does. @default 'background'
   */
  asyncMode: z.enum(['background', 'sync']).default('background'),
  /** Interval between queued `_rate_limited` calls, per account. @default 500 ms */
  rateLimitIntervalMs: envInt(500, 0),
  /**
   * `_rate_limited` calls one account may have waiting; beyond it a call is answered
   * RATE_LIMIT_QUEUE_FULL at once. @default 100
   */
  rateLimitQueue: envInt(DEFAULT_RATE_LIMIT_QUEUE, 1),
  /**
   * Largest HTTP API body and forward-WebSocket frame an authenticated client may send; larger
   * is HTTP 413 REQUEST_TOO_LARGE (WebSocket: close 1009). Enough for a 30 MB image as base64.
   * @default 50331648 (48 MiB)
   */
  maxBodyBytes: envInt(DEFAULT_MAX_BODY_BYTES, 1024),
  /**
   * Bytes of HTTP API bodies one token's requests may have being read at once on this replica
   * (its many connections together); past it a request is HTTP 429 RATE_LIMIT_QUEUE_FULL.
   * @default 268435456 (256 MiB: five bodies of the largest size)
   */
  httpBodyBytesPerToken: envInt(256 * 1024 * 1024, 1024),
  /** Longest a client may take to send a request's headers (both ports). @default 10000 ms */
  httpHeadersTimeoutMs: envInt(10_000, 100),
  /** Longest a client may take to send a whole request, body included. @default 120000 ms */
  httpRequestTimeoutMs: envInt(120_000, 100),
  /**
   * Bytes a WebSocket client may leave unread (events and replies queued for it); past it the
   * connection is closed 1008 "slow consumer". @default 4194304 (4 MiB)
   */
  wsMaxBufferedBytes: envInt(DEFAULT_WS_MAX_BUFFERED_BYTES, 1024),
  /**
   * Requests a WebSocket connection may have unanswered; past it the gateway stops reading that
   * connection until answers go out (backpressure: a client cannot pile up work without bound).
   * @default 1000
   */
  wsMaxInFlight: envInt(1_000, 1),
  /**
   * Forward WebSocket connections one account may have open on this replica; past it an
   * upgrade is answered 429 RATE_LIMIT_QUEUE_FULL. @default 64
   */
  wsMaxConnectionsPerAccount: envInt(64, 1),
  /**
   * HTTP API requests one account may have unfinished on this replica: waiting for a rate-limit
   * token, being answered, or an `_async` call whose action still runs after its answer. Past
   * it a request is answered RATE_LIMIT_QUEUE_FULL at once. Per account rather than per
   * connection, since an HTTP client opens as many connections as it likes. @default 1000
   */
  httpMaxInFlight: envInt(1_000, 1),
  /**
   * HTTP API requests one account may have waiting for a token of its rate-limit bucket (when
   * `rate_limit` is enabled); past it a request is answered RATE_LIMIT_QUEUE_FULL at once
   * (go-cqhttp queues without a bound). @default 100
   */
  httpRateLimitQueue: envInt(DEFAULT_RATE_LIMIT_QUEUE, 1),
  /**
   * Directory of the event filter files. When set, relative filter paths are read from it and
   * a filter outside it (or a symlink out of it) is refused; when empty, each configured
   * filter file is confined to its own directory.
   */
  filterDir: z.string().default(''),
  /** Largest event filter file read. @default 1048576 (1 MiB) */
  filterMaxBytes: envInt(1024 * 1024, 1),
  /** Enables `get_updates` (HTTP long polling). @default false */
  longPolling: envBool(false),
  /** Events kept per account for long polling; 0 keeps all. @default 2000 */
  longPollingMaxQueue: envInt(2000, 0),
  /**
   * `get_updates` calls one account may have waiting at once on this replica; past it one is
   * answered RATE_LIMIT_QUEUE_FULL at once. @default 100
   */
  longPollingMaxWaiters: envInt(100, 1),
  /** Bytes of events (as sent) kept per account for long polling. @default 16 MiB */
  longPollingMaxQueueBytes: envInt(16 * 1024 * 1024, 1),
  /** A long-polling queue nobody polled this long is dropped. @default 600000 ms (10 min) */
  longPollingIdleMs: envInt(600_000, 1_000),
  /** Heartbeat meta events on event connections and HTTP POST; 0 turns them off. @default 5000 ms */
  heartbeatIntervalMs: envInt(5_000, 0),
  /** How far back an outbound endpoint that was away is caught up. @default 600000 ms (10 min) */
  replayWindowMs: envInt(600_000, 0),
  /**
   * Events of a reverse-WebSocket upstream kept by the replica holding its socket, sent again
   * to an owner that attaches (a hand-over, a NATS outage): this far back… @default 30000 ms
   */
  upstreamReplayMs: envInt(30_000, 0),
  /** …and at most this many bytes per upstream. @default 262144 */
  upstreamReplayBytes: envInt(256 * 1024, 0),
  /**
   * A reverse-WebSocket upstream is pinged this often, and cut off when it has not answered the
   * last ping by the next (a peer gone without a FIN would otherwise look online for ever;
   * `0`: never). @default 30000 ms
   */
  upstreamPingMs: envInt(30_000, 0),
  /** Stable id of this replica; random per process when absent. */
  replicaId: z.string().optional(),
  /**
   * Delivery leases (one replica per account and outbound endpoint): a dead replica's deliveries
   * move after the TTL, so it bounds how long a receiver waits when a gateway dies (the chaos
   * run's "SIGKILL a gateway"); the same periods as the session workers' account leases.
   */
  leaseTtlMs: envInt(6_000, 1_000),
  renewEveryMs: envInt(2_000, 100),
  rebalanceEveryMs: envInt(1_000, 100),
  /** A JSON or YAML file with tokens and endpoints (see README.md). */
  configFile: z.string().optional(),
  /** Admin HTTP (/healthz, /readyz, the accounts API); disabled when absent. */
  adminPort: z.coerce.number().int().min(0).max(65535).optional(),
  /** Bearer token of the accounts admin API; the API is refused when empty. */
  adminToken: z.string().default(''),
  /**
   * Control API of the QQ-network simulator (e.g. `http://127.0.0.1:5900`), for the console's
   * demo chat (`/console/api/sim/…`, console/sim-proxy.ts). The gateway talks to this address
   * only. Absent: the console has no demo chat (404 SIMULATOR_NOT_CONFIGURED).
   */
  simulatorUrl: z
    .string()
    .url()
    .refine(u => /^https?:\/\//i.test(u), 'an http:// or https:// URL')
    .transform(u => u.replace(/\/+$/, ''))
    .optional(),
});

const AccountToken = z.object({
  token: z.string().min(1),
  /** A label for logs. */
  name: z.string().optional(),
  accounts: AccountSelector,
  /** When given, the only actions the token may call. */
  actions: z.array(z.string()).optional(),
});

/** The HTTP API server or the forward WebSocket server. */
const ServerSettings = EndpointSettings.extend({
  /**
   * This server's operator token, instead of the gateway-wide one (go-cqhttp gives each server
   * its own). Account tokens work on every server.
   */
  access_token: z.string().optional(),
});

export const GatewayFile = z
  .object({
    /** Overrides GATEWAY_ACCESS_TOKEN. */
    access_token: z.string().optional(),
    tokens: z.array(AccountToken).default([]),
    /** Settings of the HTTP API server and of the forward WebSocket server. */
    http: ServerSettings.default({}),
    ws: ServerSettings.default({}),
    /** HTTP POST receivers, each for `accounts` ('*' or a list). */
    http_post: z.array(HttpPostEndpoint.and(z.object({ accounts: AccountSelector }))).default([]),
    ws_reverse: z.array(ReverseWsEndpoint.and(z.object({ accounts: AccountSelector }))).default([]),
  })
  .strict();
export type GatewayFile = z.output<typeof GatewayFile>;
export type AccountToken = z.output<typeof AccountToken>;

export type Config = z.output<typeof Schema> & CommonConfig & { file: GatewayFile };

function readFile(path: string): GatewayFile {
  const text = readFileSync(path, 'utf8');
  const data: unknown = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  const parsed = GatewayFile.safeParse(data ?? {});
  if (!parsed.success)
    throw new Error(
      `invalid ${path}:\n  ${parsed.error.issues.map(i => `${i.path.join('.')}: ${i.message}`).join('\n  ')}`,
    );
  return parsed.data;
}

/** True when `path` (resolved against `dir`) is `dir` itself or below it. */
export function insideDir(dir: string, path: string): boolean {
  const rel = relative(resolve(dir), resolve(dir, path));
  // `..data/x` (a name beginning with two dots) is inside; `..` and `../x` are not.
  return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** With GATEWAY_FILTER_DIR set, every filter the settings name must be inside it. */
function checkFilters(c: z.output<typeof Schema>, file: GatewayFile): void {
  if (!c.filterDir) return;
  const named: Array<[string, string | undefined]> = [
    ['GATEWAY_EVENT_FILTER', c.eventFilter],
    ['http.filter', file.http.filter],
    ['ws.filter', file.ws.filter],
    ...file.http_post.map((e, i): [string, string | undefined] => [
      `http_post.${i}.filter`,
      e.filter,
    ]),
    ...file.ws_reverse.map((e, i): [string, string | undefined] => [
      `ws_reverse.${i}.filter`,
      e.filter,
    ]),
  ];
  const outside = named.filter(([, f]) => f && !insideDir(c.filterDir, f));
  if (outside.length > 0)
    throw new Error(
      `event filter outside GATEWAY_FILTER_DIR (${c.filterDir}): ${outside.map(([k, f]) => `${k}: ${f}`).join(', ')}`,
    );
}

export function loadConfig(env: Env): Config {
  const c = readPrefixed('GATEWAY', Schema, env);
  if (c.httpHeadersTimeoutMs > c.httpRequestTimeoutMs)
    throw new Error(
      'GATEWAY_HTTP_HEADERS_TIMEOUT_MS must not exceed GATEWAY_HTTP_REQUEST_TIMEOUT_MS',
    );
  const file = c.configFile ? readFile(c.configFile) : GatewayFile.parse({});
  checkFilters(c, file);
  // The admin API manages every tenant's accounts: a tenant's token that is also the admin
  // token would hand that tenant all of it.
  if (c.adminToken !== '' && file.tokens.some(t => t.token === c.adminToken))
    throw new Error(
      'invalid configuration:\n  GATEWAY_ADMIN_TOKEN is also an account token of the config file (tokens[]): give the admin API a token of its own',
    );
  return { ...readCommonConfig(env), ...c, accessToken: file.access_token ?? c.accessToken, file };
}

/** An endpoint's settings with the gateway-wide defaults filled in. */
export interface Settings {
  messageFormat: 'string' | 'array';
  reportSelfMessage: boolean;
  filter: string;
  rateLimit: RateLimit;
}

export function settingsFor(config: Config, own: EndpointSettings = {}): Settings {
  return {
    messageFormat: own.message_format ?? config.messageFormat,
    reportSelfMessage: own.report_self_message ?? config.reportSelfMessage,
    filter: own.filter ?? config.eventFilter,
    rateLimit: own.rate_limit ?? RateLimit.parse({}),
  };
}
