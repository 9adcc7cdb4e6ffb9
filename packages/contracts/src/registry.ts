/**
 * The account registry, worker records and leases, as stored in Redis (see namespace.ts).
 */
import { z } from 'zod';
import { AccountEndpoints } from './endpoints.js';

/** How a session worker reaches the QQ side for one account. */
export const AccountRecord = z.object({
  uin: z.number().int().positive(),
  /**
   * The driver that connects the account: `simulator` (built in), or `onebot` — an upstream
   * OneBot v11 implementation (NapCat, Lagrange, LLOneBot, go-cqhttp, another cqfleet) that
   * runs the account, reached by forward WebSocket or connecting in by reverse WebSocket.
   */
  driver: z.enum(['simulator', 'onebot']).default('simulator'),
  /** Driver options: `{ url }` of the simulator; for `onebot`, {@link UpstreamOptions}. */
  options: z.record(z.string(), z.unknown()).default({}),
  enabled: z.boolean().default(true),
  /** HTTP POST receivers and reverse WebSocket servers of this account alone. */
  endpoints: AccountEndpoints.optional(),
});
export type AccountRecord = z.infer<typeof AccountRecord>;

/**
 * The longest an upstream's answer may be waited for: 10 minutes, longer than any action an
 * implementation runs (a large file upload) and far below where Node's timers stop working —
 * a delay over 2^31-1 ms is run after 1 ms, so every action, login included, would time out
 * at once.
 */
export const UPSTREAM_MAX_TIMEOUT_MS = 10 * 60_000;

/**
 * Options of a `onebot` account: where its upstream implementation is and how to speak to it.
 *
 * - `mode: 'forward'` (default): the owning session worker connects to `url`, the upstream's
 *   forward-WebSocket server, with `token` as `Authorization: Bearer`.
 * - `mode: 'reverse'`: the upstream is a reverse-WebSocket client of cqfleet; it connects to any
 *   gateway replica at `/upstream` (ws port) with `X-Self-ID` and `token` (required: anyone who
 *   reaches the gateway could otherwise speak for the account), and the gateway relays the
 *   socket to the owning worker over NATS (upstream-relay.ts).
 */
export const UpstreamOptions = z
  .object({
    mode: z.enum(['forward', 'reverse']).default('forward'),
    url: z.string().url().optional(),
    token: z.string().optional(),
    /** `napcat` | `llonebot` | `lagrange` | `gocq` | `cqfleet`; `auto`: told by get_version_info. */
    flavor: z.string().default('auto'),
    /**
     * How long an action may wait for the upstream's answer. Read at most 10 minutes: a record
     * stored before the bound keeps working with 10 minutes; a new one asking more is refused
     * (driverOptionsProblem, the admin API).
     */
    timeoutMs: z
      .number()
      .int()
      .positive()
      .default(30_000)
      .transform(ms => Math.min(ms, UPSTREAM_MAX_TIMEOUT_MS)),
  })
  .refine(o => o.mode !== 'forward' || o.url !== undefined, {
    message: 'a forward upstream needs options.url',
    path: ['url'],
  })
  .refine(o => o.mode !== 'reverse' || (o.token ?? '') !== '', {
    message: 'a reverse upstream needs options.token',
    path: ['token'],
  });
export type UpstreamOptions = z.infer<typeof UpstreamOptions>;

/** What is wrong with a record's driver options, or undefined when they are usable. */
export function driverOptionsProblem(record: Pick<AccountRecord, 'driver' | 'options'>) {
  if (record.driver !== 'onebot') return undefined;
  const r = UpstreamOptions.safeParse(record.options);
  if (!r.success)
    return r.error.issues.map(i => `options.${i.path.join('.')}: ${i.message}`).join('; ');
  const asked = (record.options as { timeoutMs?: unknown } | undefined)?.timeoutMs;
  if (typeof asked === 'number' && asked > UPSTREAM_MAX_TIMEOUT_MS)
    return `options.timeoutMs: at most ${UPSTREAM_MAX_TIMEOUT_MS}`;
  return undefined;
}

export const WorkerRecord = z.object({
  id: z.string(),
  /** `host:port` of the worker's gRPC server. */
  grpc: z.string(),
  startedAt: z.number(),
  heartbeatAt: z.number(),
});
export type WorkerRecord = z.infer<typeof WorkerRecord>;

/** A lease value: the owning worker and the fencing token it was granted. */
export interface Lease {
  workerId: string;
  fence: number;
}

export function formatLease(lease: Lease): string {
  return `${lease.workerId}|${lease.fence}`;
}

export function parseLease(value: string | null | undefined): Lease | undefined {
  if (!value) return undefined;
  const sep = value.lastIndexOf('|');
  if (sep <= 0) return undefined;
  const fence = Number(value.slice(sep + 1));
  if (!Number.isSafeInteger(fence)) return undefined;
  return { workerId: value.slice(0, sep), fence };
}

/** Published on `<ns>.ownership` whenever an account gains or loses its owner. */
export interface OwnershipChange {
  uin: number;
  /** `acquired`: workerId now owns the account with `fence`; `released`: nobody does. */
  state: 'acquired' | 'released';
  workerId: string;
  fence: number;
  grpc: string;
}
