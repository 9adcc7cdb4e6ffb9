/**
 * Leases in Redis, each operation one atomic script:
 * - acquire: only when nobody holds the lease; the fencing token is the larger of the last one
 *   (`fenceKey`) + 1 and the Redis server's clock in milliseconds, so tokens keep growing even
 *   when Redis lost the counter (restarted empty, or failed over before the write reached the
 *   replica): a new lease's token is newer than any given before, as long as the clocks of the
 *   Redis servers agree to better than the time a failover takes;
 * - renew / release / write-if-holder: only while the lease still holds the caller's value;
 * - renew with `reclaim`: a lease that is missing altogether is set again with the caller's
 *   value. The caller asks for it only while its lease is certainly still valid on its own
 *   clock, when the key cannot have expired: it is missing because Redis lost it, and nobody
 *   else may hold it meanwhile (members acquire nothing for a lease period after Redis comes
 *   back, see lease-group.ts).
 * A holder whose renew fails has lost what the lease protects and must stop acting for it.
 */
import { formatLease, type Lease, parseLease } from '@cqfleet/contracts';
import type { Redis } from 'ioredis';

const ACQUIRE = `
if redis.call('exists', KEYS[1]) == 1 then return 0 end
local t = redis.call('time')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local fence = math.max(tonumber(redis.call('get', KEYS[2]) or '0') + 1, now)
redis.call('set', KEYS[2], string.format('%d', fence))
redis.call('set', KEYS[1], ARGV[1] .. '|' .. string.format('%d', fence), 'PX', ARGV[2])
return fence`;

// Renews many leases in one call: KEYS are lease and fence key in pairs, ARGV the TTL, then
// value, reclaim flag and token for each lease. One answer per lease: 1 renewed, 2 reclaimed,
// 0 lost.
const RENEW_MANY = `
local out = {}
for i = 1, #KEYS / 2 do
  local lease, fence = KEYS[2 * i - 1], KEYS[2 * i]
  local value, reclaim, token = ARGV[3 * i - 1], ARGV[3 * i], ARGV[3 * i + 1]
  local v = redis.call('get', lease)
  if v == value then
    out[i] = redis.call('pexpire', lease, ARGV[1])
  elseif v or reclaim ~= '1' then
    out[i] = 0
  else
    redis.call('set', lease, value, 'PX', ARGV[1])
    if tonumber(redis.call('get', fence) or '0') < tonumber(token) then
      redis.call('set', fence, token)
    end
    out[i] = 2
  end
end
return out`;

const RELEASE = `
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0`;

const SET_IF_HOLDER = `
if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('set', KEYS[2], ARGV[2]) return 1 end
return 0`;

export type RenewResult = 'renewed' | 'reclaimed' | 'lost';

/** One lease to renew: `reclaim` as for {@link LeaseStore.renew}. */
export interface Renewal {
  leaseKey: string;
  lease: Lease;
  reclaim?: { fenceKey: string };
}

interface LeaseCommands {
  cqfAcquire(lease: string, fence: string, holder: string, ttl: number): Promise<number>;
  cqfRenewMany(numberOfKeys: number, ...keysThenArgs: Array<string | number>): Promise<number[]>;
  cqfRelease(lease: string, value: string): Promise<number>;
  cqfSetIfHolder(lease: string, key: string, value: string, payload: string): Promise<number>;
}

export class LeaseStore {
  private readonly cmd: LeaseCommands;

  constructor(private readonly redis: Redis) {
    redis.defineCommand('cqfAcquire', { numberOfKeys: 2, lua: ACQUIRE });
    // The number of keys is given with each call.
    redis.defineCommand('cqfRenewMany', { lua: RENEW_MANY });
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

  /**
   * Extends the lease: `renewed`, `reclaimed` (it was missing and is the caller's again, with
   * `reclaim` only: see above) or `lost`.
   */
  async renew(
    leaseKey: string,
    lease: Lease,
    ttlMs: number,
    reclaim?: { fenceKey: string },
  ): Promise<RenewResult> {
    return (await this.renewMany([{ leaseKey, lease, reclaim }], ttlMs))[0]!;
  }

  /**
   * Extends many leases in one round trip (a worker holding 1,000 renews them every period):
   * one answer per lease, in order, as {@link renew} gives it. Atomic per lease, not across
   * them; the caller keeps a call to a few hundred, since Redis does nothing else meanwhile.
   */
  async renewMany(renewals: readonly Renewal[], ttlMs: number): Promise<RenewResult[]> {
    if (renewals.length === 0) return [];
    const keys: string[] = [];
    const args: Array<string | number> = [ttlMs];
    for (const { leaseKey, lease, reclaim } of renewals) {
      keys.push(leaseKey, reclaim?.fenceKey ?? leaseKey);
      args.push(formatLease(lease), reclaim ? '1' : '0', lease.fence);
    }
    const answers = await this.cmd.cqfRenewMany(keys.length, ...keys, ...args);
    return renewals.map((_, i) =>
      answers[i] === 1 ? 'renewed' : answers[i] === 2 ? 'reclaimed' : 'lost',
    );
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
