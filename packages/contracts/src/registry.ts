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
   * runs the account, reached by forward WebSocket.
   */
  driver: z.enum(['simulator', 'onebot']).default('simulator'),
  /**
   * Driver options: `{ url }` of the simulator; for `onebot`, `{ url, token?, flavor? }` — the
   * upstream's forward-WebSocket URL, its access token, and which implementation it is
   * (`napcat` | `llonebot` | `lagrange` | `gocq`, default `auto`: told by get_version_info).
   */
  options: z.record(z.string(), z.unknown()).default({}),
  enabled: z.boolean().default(true),
  /** HTTP POST receivers and reverse WebSocket servers of this account alone. */
  endpoints: AccountEndpoints.optional(),
});
export type AccountRecord = z.infer<typeof AccountRecord>;

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
