/** Gateway configuration, read once from the environment at src/main.ts. */
import {
  type CommonConfig,
  envBool,
  envInt,
  type Env,
  readCommonConfig,
  readPrefixed,
} from '@cqfleet/runtime';
import { z } from 'zod';

const Schema = z.object({
  /** Address the HTTP API and WebSocket servers bind. @default '127.0.0.1' (use 0.0.0.0 in containers) */
  host: z.string().default('127.0.0.1'),
  /** HTTP API. @default 5700 */
  httpPort: envInt(5700, 0, 65535),
  /** Forward WebSocket. @default 8080 */
  wsPort: envInt(8080, 0, 65535),
  /**
   * Operator access token: when set, every request must carry it (Authorization with any scheme
   * word, or `access_token` in the query). Empty: no authentication.
   */
  accessToken: z.string().default(''),
  /** Address of the history service. @default '127.0.0.1:7100' */
  historyAddr: z.string().default('127.0.0.1:7100'),
  /** `message` format in events and results: `string` (CQ code, go-cqhttp's default) or `array`. */
  messageFormat: z.enum(['string', 'array']).default('string'),
  /** Deliver the bots' own messages as `message_sent` events. @default false */
  reportSelfMessage: envBool(false),
  /** Longest an action may take end to end. @default 30000 ms */
  actionTimeoutMs: envInt(30_000, 100),
  /**
   * `_async` actions: `background` answers `status: "async"` at once (OneBot v11);
   * `sync` runs them and answers normally, as go-cqhttp does. @default 'background'
   */
  asyncMode: z.enum(['background', 'sync']).default('background'),
  /** Interval between queued `_rate_limited` calls. @default 500 ms */
  rateLimitIntervalMs: envInt(500, 0),
  /**
   * Path of an event filter file (go-cqhttp syntax, reference §5); events that do not pass it
   * are not delivered. `reload_event_filter` with this exact path re-reads it.
   */
  eventFilter: z.string().default(''),
  /** Enables `get_updates` (HTTP long polling). @default false */
  longPolling: envBool(false),
  /** Events kept per account for long polling; 0 keeps all. @default 2000 */
  longPollingMaxQueue: envInt(2000, 0),
  /** Admin HTTP (/healthz, /readyz); disabled when absent. */
  adminPort: z.coerce.number().int().min(0).max(65535).optional(),
});

export type Config = z.output<typeof Schema> & CommonConfig;

export function loadConfig(env: Env): Config {
  return { ...readCommonConfig(env), ...readPrefixed('GATEWAY', Schema, env) };
}
