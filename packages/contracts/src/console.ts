/**
 * The operator console's data (issue 19): what session workers say of the accounts they run,
 * and the fleet snapshot the gateway serves to the console.
 *
 * - Every session worker writes an `AccountStatus` per account it runs into the Redis hash
 *   `<ns>:account-status` (field = uin, `Namespace.accountStatusKey`): at once when the state
 *   changes, within `ACCOUNT_STATUS_EVERY_MS` when its counters move, and otherwise at least
 *   twice per `ACCOUNT_STATUS_STALE_MS`. An entry not rewritten for `ACCOUNT_STATUS_STALE_MS`
 *   is stale: its worker is gone.
 * - The gateway reads that hash, the registry, the members of the lease groups and the health of
 *   NATS, Redis, media and history, and answers `GET /console/api/fleet` on its admin port with a
 *   `FleetSnapshot`; rates are computed from the counters' differences between its samples.
 */
import { z } from 'zod';

/** How soon a worker writes an account's status after its counters moved. */
export const ACCOUNT_STATUS_EVERY_MS = 1_000;
/** An entry older than this is stale (its worker stopped writing). */
export const ACCOUNT_STATUS_STALE_MS = 10_000;

/** The driver's state (session driver.ts `DriverState`). */
export const AccountState = z.enum(['connecting', 'online', 'offline', 'fenced', 'stopped']);
export type AccountState = z.infer<typeof AccountState>;

export const AccountStatus = z.object({
  uin: z.number().int().positive(),
  /** The worker running the account, and the fence of its lease. */
  worker: z.string(),
  fence: z.number(),
  state: AccountState,
  /** Why the state is what it is (a close code and reason, an error), when the driver said. */
  detail: z.string().optional(),
  /** The last error the account met, and when (ms since the epoch). */
  lastError: z.string().optional(),
  lastErrorAt: z.number().optional(),
  /** From the QQ side's login info, once online. */
  nickname: z.string().optional(),
  /** Events published and actions executed since the worker took the account. */
  events: z.number().int().nonnegative(),
  actions: z.number().int().nonnegative(),
  /** When the worker took the account, and when this entry was written (ms since the epoch). */
  since: z.number(),
  at: z.number(),
});
export type AccountStatus = z.infer<typeof AccountStatus>;

/**
 * How many messages history keeps, counted by the history service from its bucket hashes every
 * `HISTORY_SIZE_EVERY_MS` (a scan: too slow to do per request) into `Namespace.historySizeKey`,
 * which expires after a few rounds when no history replica is running.
 */
export const HistorySize = z.object({ messages: z.number().int().nonnegative(), at: z.number() });
export type HistorySize = z.infer<typeof HistorySize>;
export const HISTORY_SIZE_EVERY_MS = 30_000;

/** One account as the console shows it. */
export const FleetAccount = z.object({
  uin: z.number(),
  enabled: z.boolean(),
  driver: z.enum(['simulator', 'onebot']),
  /** Upstream accounts: the implementation (`flavor` option) and how it connects. */
  flavor: z.string().optional(),
  mode: z.enum(['forward', 'reverse']).optional(),
  /** `disabled` (by the operator) and `unowned` (enabled, no live worker) besides the driver's. */
  state: z.union([AccountState, z.enum(['disabled', 'unowned'])]),
  nickname: z.string().optional(),
  owner: z.object({ worker: z.string(), fence: z.number() }).optional(),
  /** Per second, oldest first, one value per sample over the last minute. */
  eventsPerSecond: z.array(z.number()),
  actionsPerSecond: z.array(z.number()),
  lastError: z.string().optional(),
  lastErrorAt: z.number().optional(),
});
export type FleetAccount = z.infer<typeof FleetAccount>;

export const FleetMember = z.object({
  id: z.string(),
  /** Accounts (workers) or deliveries (gateways) it holds. */
  holds: z.number(),
  heartbeatAt: z.number(),
});
export type FleetMember = z.infer<typeof FleetMember>;

/** What `GET /console/api/fleet` answers. */
export const FleetSnapshot = z.object({
  at: z.number(),
  /** The replica that answered. */
  gateway: z.string(),
  accounts: z.array(FleetAccount),
  workers: z.array(FleetMember),
  gateways: z.array(FleetMember),
  media: z
    .object({ waiting: z.number(), active: z.number(), delayed: z.number(), failed: z.number() })
    .nullable(),
  history: z.object({ messages: z.number() }).nullable(),
  nats: z.object({ ok: z.boolean(), server: z.string().optional(), rttMs: z.number().optional() }),
  redis: z.object({
    ok: z.boolean(),
    role: z.string().optional(),
    usedMemoryBytes: z.number().optional(),
  }),
});
export type FleetSnapshot = z.infer<typeof FleetSnapshot>;
