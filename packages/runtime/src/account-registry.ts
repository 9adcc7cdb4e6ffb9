/**
 * The account registry (Redis hash `<ns>:accounts`, uin → AccountRecord JSON), read and
 * changed at run time. Every change is announced on `<ns>.registry`, so session workers
 * rebalance and gateways reload at once instead of at their next scan.
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
    await this.redis.hset(this.ns.accountsKey, String(record.uin), JSON.stringify(record));
    this.announce({ change: 'put', uins: [record.uin] });
  }

  /** Adds the records that are not there yet (seeding); the number added. */
  async addMissing(records: AccountRecord[]): Promise<number> {
    const added: number[] = [];
    for (const r of records)
      if (await this.redis.hsetnx(this.ns.accountsKey, String(r.uin), JSON.stringify(r)))
        added.push(r.uin);
    if (added.length > 0) this.announce({ change: 'put', uins: added });
    return added.length;
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
