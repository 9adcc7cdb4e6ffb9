/**
 * Leases in Redis, each operation one atomic script:
 * - acquire: only when nobody holds the lease; takes the next fencing token;
 * - renew / release / write-if-owner: only while the lease still holds the caller's value.
 * A worker whose renew fails has lost the account and must stop acting for it.
 */
import { formatLease, type Lease, type Namespace, parseLease } from '@cqfleet/contracts';
import type { Redis } from '@cqfleet/runtime';

const ACQUIRE = `
if redis.call('exists', KEYS[1]) == 1 then return 0 end
local fence = redis.call('incr', KEYS[2])
redis.call('set', KEYS[1], ARGV[1] .. '|' .. fence, 'PX', ARGV[2])
return fence`;

const RENEW = `
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0`;

const RELEASE = `
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0`;

const SET_IF_OWNER = `
if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('set', KEYS[2], ARGV[2]) return 1 end
return 0`;

interface LeaseCommands {
  cqfAcquire(lease: string, fence: string, workerId: string, ttl: number): Promise<number>;
  cqfRenew(lease: string, value: string, ttl: number): Promise<number>;
  cqfRelease(lease: string, value: string): Promise<number>;
  cqfSetIfOwner(lease: string, key: string, value: string, payload: string): Promise<number>;
}

export class LeaseStore {
  private readonly cmd: LeaseCommands;

  constructor(
    private readonly redis: Redis,
    private readonly ns: Namespace,
  ) {
    redis.defineCommand('cqfAcquire', { numberOfKeys: 2, lua: ACQUIRE });
    redis.defineCommand('cqfRenew', { numberOfKeys: 1, lua: RENEW });
    redis.defineCommand('cqfRelease', { numberOfKeys: 1, lua: RELEASE });
    redis.defineCommand('cqfSetIfOwner', { numberOfKeys: 2, lua: SET_IF_OWNER });
    this.cmd = redis as unknown as LeaseCommands;
  }

  /** The fencing token of a new lease, or undefined when someone holds it. */
  async acquire(uin: number, workerId: string, ttlMs: number): Promise<number | undefined> {
    const fence = await this.cmd.cqfAcquire(
      this.ns.leaseKey(uin),
      this.ns.fenceKey(uin),
      workerId,
      ttlMs,
    );
    return fence > 0 ? fence : undefined;
  }

  async renew(uin: number, lease: Lease, ttlMs: number): Promise<boolean> {
    return (await this.cmd.cqfRenew(this.ns.leaseKey(uin), formatLease(lease), ttlMs)) === 1;
  }

  async release(uin: number, lease: Lease): Promise<boolean> {
    return (await this.cmd.cqfRelease(this.ns.leaseKey(uin), formatLease(lease))) === 1;
  }

  /** Writes `key` only while `lease` is the current lease of `uin` (fenced write). */
  async setIfOwner(uin: number, lease: Lease, key: string, value: string): Promise<boolean> {
    return (
      (await this.cmd.cqfSetIfOwner(this.ns.leaseKey(uin), key, formatLease(lease), value)) === 1
    );
  }

  async holder(uin: number): Promise<Lease | undefined> {
    return parseLease(await this.redis.get(this.ns.leaseKey(uin)));
  }
}
