/**
 * The account registry (Redis hash `<ns>:accounts`, uin → AccountRecord JSON), read and
 * changed at run time. Every change is announced on `<ns>.registry`, so session workers
 * rebalance and gateways reload at once instead of at their next scan.
 *
 * Every write also marks the registry as existing (`<ns>:accounts:since`). The hash alone
 * cannot tell "every account was removed" from "Redis lost everything"; the mark can, so
 * accounts declared in a file seed the registry again only in the second case
 * ({@link AccountRegistry.seedIfLost}).
 *
 * A malformed record is skipped by every reader (it cannot be owned, routed or listed).
 */
import { AccountRecord, type Namespace } from '@cqfleet/contracts';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Redis } from 'ioredis';

export interface RegistryChange {
  /** What changed: `put` (added or replaced) or `removed`. */
  change: 'put' | 'removed';
  uins: number[];
}

function parse(json: string): AccountRecord | undefined {
  try {
    const r = AccountRecord.safeParse(JSON.parse(json));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

/** Adds the records absent from the hash when the mark is missing, and sets the mark. */
const SEED_IF_LOST = `
if redis.call('exists', KEYS[2]) == 1 then return {} end
local added = {}
for i = 1, #ARGV - 1, 2 do
  if redis.call('hsetnx', KEYS[1], ARGV[i], ARGV[i + 1]) == 1 then added[#added + 1] = ARGV[i] end
end
redis.call('set', KEYS[2], ARGV[#ARGV])
return added`;

export class AccountRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly nc: NatsConnection,
    private readonly ns: Namespace,
  ) {}

  /** Every well-formed record, enabled or not, by uin. */
  async all(): Promise<AccountRecord[]> {
    const raw = await this.redis.hgetall(this.ns.accountsKey);
    return Object.values(raw)
      .map(parse)
      .filter((r): r is AccountRecord => r !== undefined)
      .sort((a, b) => a.uin - b.uin);
  }

  async get(uin: number): Promise<AccountRecord | undefined> {
    const json = await this.redis.hget(this.ns.accountsKey, String(uin));
    return json ? parse(json) : undefined;
  }

  /** Adds or replaces a record. */
  async put(record: AccountRecord): Promise<void> {
    await this.redis
      .multi()
      .hset(this.ns.accountsKey, String(record.uin), JSON.stringify(record))
      .set(this.ns.accountsSinceKey, String(Date.now()), 'NX')
      .exec();
    this.announce({ change: 'put', uins: [record.uin] });
  }

  /** Adds the records that are not there yet (seeding); the number added. */
  async addMissing(records: AccountRecord[]): Promise<number> {
    const added: number[] = [];
    for (const r of records)
      if (await this.redis.hsetnx(this.ns.accountsKey, String(r.uin), JSON.stringify(r)))
        added.push(r.uin);
    await this.redis.set(this.ns.accountsSinceKey, String(Date.now()), 'NX');
    if (added.length > 0) this.announce({ change: 'put', uins: added });
    return added.length;
  }

  /**
   * When Redis lost the registry (its mark is missing), adds `records` again, atomically with
   * setting the mark; the uins added (none while the registry exists).
   */
  async seedIfLost(records: AccountRecord[]): Promise<number[]> {
    // The common case, asked every rebalance: the mark is there, and the records (1,000 of
    // them, 200 KB) need not travel. The script checks again, atomically with seeding.
    if ((await this.redis.exists(this.ns.accountsSinceKey)) === 1) return [];
    const args = records.flatMap(r => [String(r.uin), JSON.stringify(r)]);
    const added = (await this.redis.eval(
      SEED_IF_LOST,
      2,
      this.ns.accountsKey,
      this.ns.accountsSinceKey,
      ...args,
      String(Date.now()),
    )) as string[];
    const uins = added.map(Number);
    if (uins.length > 0) this.announce({ change: 'put', uins });
    return uins;
  }

  /** Enables or disables an account; false when there is no such account. */
  async setEnabled(uin: number, enabled: boolean): Promise<AccountRecord | undefined> {
    const record = await this.get(uin);
    if (!record) return undefined;
    const next = { ...record, enabled };
    await this.put(next);
    return next;
  }

  /** Removes an account; false when there was none. */
  async remove(uin: number): Promise<boolean> {
    const removed = (await this.redis.hdel(this.ns.accountsKey, String(uin))) > 0;
    if (removed) this.announce({ change: 'removed', uins: [uin] });
    return removed;
  }

  private announce(change: RegistryChange): void {
    this.nc.publish(this.ns.registrySubject, JSON.stringify(change));
  }
}
