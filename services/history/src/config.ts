/** History configuration, read once from the environment at src/main.ts. */
import { HISTORY_SIZE_EVERY_MS } from '@cqfleet/contracts';
import {
  type CommonConfig,
  envInt,
  type Env,
  readCommonConfig,
  readPrefixed,
} from '@cqfleet/runtime';
import { z } from 'zod';

const Schema = z.object({
  /** @default '127.0.0.1' */
  grpcHost: z.string().default('127.0.0.1'),
  /** @default 7100 */
  grpcPort: envInt(7100, 0, 65535),
  /** Admin HTTP (/healthz, /readyz); disabled when absent. */
  adminPort: z.coerce.number().int().min(0).max(65535).optional(),
  /** Events fetched per pull from the stream. @default 500 */
  batch: envInt(500, 1, 10_000),
  /**
   * How long a batch gathers after its first event before it is taken from the stream and
   * stored; 0 takes each event as it comes. Fewer wake-ups, Redis calls and acks at low rates
   * (README.md), for a message readable from the store up to this much later (`get_msg`
   * catches up). @default 10 ms
   */
  gatherMs: envInt(10, 0, 1_000),
  /**
   * How long a look-up that misses waits for the consumer to catch up with events already in
   * the stream (read-your-writes for `get_msg` right after a send). @default 2000 ms
   */
  catchUpMs: envInt(2_000, 0),
  /**
   * How long an event handed to a replica may stay unacknowledged before the stream offers it
   * again (to another replica, when this one died). @default 30000 ms
   */
  ackWaitMs: envInt(30_000, 1_000),
  /** Messages kept per chat (group or private chat of an account); 0 keeps all. @default 0 */
  keepPerChat: envInt(0, 0),
  /**
   * Seconds a message (and a forward's nodes) is kept; 0 keeps them forever, which lets Redis
   * grow without bound. @default 2592000 (30 days)
   */
  maxAgeS: envInt(2_592_000, 0),
  /** How often age retention runs. @default 60000 ms */
  sweepEveryMs: envInt(60_000, 100),
  /** How often the kept messages' count is written for the operator console. @default 30000 ms */
  sizeEveryMs: envInt(HISTORY_SIZE_EVERY_MS, 100),
  /**
   * Stored records at least this long are deflated (with a dictionary of what messages
   * repeat); 0 never deflates. README.md has the trade-off measured. @default 200 bytes
   */
  compressFrom: envInt(200, 0),
  /**
   * Hashes of the message-id index. Keep stored messages / slots under 128 so each stays a
   * compact listpack (65536 slots: up to about 8 M messages). @default 65536
   */
  idSlots: envInt(65_536, 1, 16_777_216),
  /**
   * Actions of one account this replica runs at once (history pages, forwards, get_msg
   * misses); past it RATE_LIMIT_QUEUE_FULL at once (executor.ts). History is every tenant's:
   * without it one account's heavy pages held its event loop and Redis for all. @default 32
   */
  maxInFlightPerAccount: envInt(32, 1),
});

export type Config = z.output<typeof Schema> & CommonConfig;

export function loadConfig(env: Env): Config {
  return { ...readCommonConfig(env), ...readPrefixed('HISTORY', Schema, env) };
}
