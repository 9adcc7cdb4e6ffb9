/**
 * Leases in Redis, each operation one atomic script:
 * - acquire: only when nobody holds the lease; takes the next fencing token from `fenceKey`;
 * - renew / release / write-if-holder: only while the lease still holds the caller's value.
 * A holder whose renew fails has lost what the lease protects and must stop acting for it.
 */
import { formatLease, type Lease, parseLease } from '@cqfleet/contracts';
import type { Redis } from 'ioredis';

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

const SET_IF_HOLDER = `
if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('set', KEYS[2], ARGV[2]) return 1 end
return 0`;

interface LeaseCommands {
  cqfAcquire(lease: string, fence: string, holder: string, ttl: number): Promise<number>;
  cqfRenew(lease: string, value: string, ttl: number): Promise<number>;
  cqfRelease(lease: string, value: string): Promise<number>;
  cqfSetIfHolder(lease: string, key: string, value: string, payload: string): Promise<number>;
}

export class LeaseStore {
  private readonly cmd: LeaseCommands;

  constructor(private readonly redis: Redis) {
    redis.defineCommand('cqfAcquire', { numberOfKeys: 2, lua: ACQUIRE });
    redis.defineCommand('cqfRenew', { numberOfKeys: 1, lua: RENEW });
    redis.defineCommand('cqfRelease', { numberOfKeys: 1, lua: RELEASE });
    redis.defineCommand('cqfSetIfHolder', { numberOfKeys: 2, lua: SET_IF_HOLDER });
    this.cmd = redis as unknown as LeaseCommands;
  }

  /** The fencing token of a new lease, or undefined when someone holds it. */
  async acquire(
    leaseKey: string,
    fenceKey: string,
    holder: string,
    ttlMs: number,
  ): Promise<number | undefined> {
    const fence = await this.cmd.cqfAcquire(leaseKey, fenceKey, holder, ttlMs);
    return fence > 0 ? fence : undefined;
  }

  async renew(leaseKey: string, lease: Lease, ttlMs: number): Promise<boolean> {
    return (await this.cmd.cqfRenew(leaseKey, formatLease(lease), ttlMs)) === 1;
  }

  async release(leaseKey: string, lease: Lease): Promise<boolean> {
    return (await this.cmd.cqfRelease(leaseKey, formatLease(lease))) === 1;
  }

  /** Writes `key` only while `lease` is the current value of `leaseKey` (a fenced write). */
  async setIfHolder(leaseKey: string, lease: Lease, key: string, value: string): Promise<boolean> {
    return (await this.cmd.cqfSetIfHolder(leaseKey, key, formatLease(lease), value)) === 1;
  }

  async holder(leaseKey: string): Promise<Lease | undefined> {
    return parseLease(await this.redis.get(leaseKey));
  }
}
