/** Session worker configuration, read once from the environment at src/main.ts. */
import {
  type CommonConfig,
  envBool,
  envInt,
  type Env,
  readCommonConfig,
  readPrefixed,
} from '@cqfleet/runtime';
import { z } from 'zod';

/** SESSION_MAX_IN_FLIGHT_PER_ACCOUNT's default (see the setting). */
export const DEFAULT_MAX_IN_FLIGHT_PER_ACCOUNT = 2_000;

const Schema = z.object({
  /** Stable id of this worker; a random one per process when absent. */
  workerId: z.string().optional(),
  /** Address the gRPC server binds. @default '127.0.0.1' */
  grpcHost: z.string().default('127.0.0.1'),
  /** @default 0 (a free port) */
  grpcPort: envInt(0, 0, 65535),
  /**
   * Address other services use to reach this worker. When absent: `<grpcHost>:<port>`, or with
   * grpcHost 0.0.0.0 the first non-internal IPv4 address (the container or pod IP).
   */
  grpcAdvertise: z.string().optional(),
  /** Admin HTTP (/healthz, /readyz); disabled when absent. */
  adminPort: z.coerce.number().int().min(0).max(65535).optional(),
  /**
   * Lease time to live: how long a dead worker keeps its accounts (with the rebalance period,
   * the longest an account goes unowned after a crash). @default 6000 ms
   */
  leaseTtlMs: envInt(6_000, 1_000),
  /** How often leases are renewed and the worker's heartbeat written. @default 2000 ms */
  renewEveryMs: envInt(2_000, 100),
  /** How often the registry is read, excess handed over and free accounts acquired. @default 1000 ms */
  rebalanceEveryMs: envInt(1_000, 100),
  /**
   * Accounts to add to the registry at start if absent: a comma-separated list of uins, all
   * using the simulator driver at `simulatorUrl`.
   */
  seedAccounts: z.string().optional(),
  /**
   * A JSON file of account records (an array, as the admin API takes them; a ConfigMap in
   * Kubernetes): added at start when missing, and again whenever Redis lost the registry.
   */
  accountsFile: z.string().optional(),
  /** Simulator control/driver base URL for seeded accounts. @default 'http://127.0.0.1:5900' */
  simulatorUrl: z.string().default('http://127.0.0.1:5900'),
  /** Longest an action may run before the worker answers TIMEOUT. @default 30000 ms */
  actionTimeoutMs: envInt(30_000, 100),
  /**
   * Calls one account may have unfinished on this worker: actions from every gateway replica
   * and history's QQ-side reads together, from their arrival (waiting for a login included)
   * until their work ends, which may be after the caller was answered TIMEOUT. Past it a call
   * is answered RATE_LIMIT_QUEUE_FULL at once, as the gateway answers its own per-account
   * refusal. Twice GATEWAY_HTTP_MAX_IN_FLIGHT's default (1000 per replica), so one replica's
   * HTTP clients meet the gateway's bound first; the session's bounds what all replicas, their
   * WebSocket connections and history add up to, per account. @default 2000
   */
  maxInFlightPerAccount: envInt(DEFAULT_MAX_IN_FLIGHT_PER_ACCOUNT, 1),
  /** Address of the history service (for reply / delete / essence / forward look-ups). */
  historyAddr: z.string().optional(),
  /**
   * Invalid segments (unknown type, bad id, unreadable media, a reply to an unknown message)
   * are dropped; by default they are sent as their literal CQ code, as go-cqhttp does.
   */
  ignoreInvalidCqcode: envBool(false),
  /** Received `reply` segments also carry seq, qq, time and text (go-cqhttp `extra-reply-data`). */
  extraReplyData: envBool(false),
  /**
   * Longest frame taken from an upstream OneBot implementation; a longer one closes a forward
   * connection (1009) and is dropped from a relayed one (the gateway's own cap is 64 MiB).
   * @default 67108864 (64 MiB)
   */
  upstreamMaxFrameBytes: envInt(64 * 1024 * 1024, 1024),
});

export type Config = z.output<typeof Schema> & CommonConfig;

export function loadConfig(env: Env): Config {
  return { ...readCommonConfig(env), ...readPrefixed('SESSION', Schema, env) };
}
