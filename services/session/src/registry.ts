/** Adds accounts to the registry (Redis hash `<ns>:accounts`) when they are not there yet. */
import { AccountRecord, type Namespace } from '@cqfleet/contracts';
import type { NatsConnection, Redis } from '@cqfleet/runtime';

/** Parses `SESSION_SEED_ACCOUNTS`: comma-separated uins, all on the simulator at `simulatorUrl`. */
export function parseSeedAccounts(
  value: string | undefined,
  simulatorUrl: string,
): AccountRecord[] {
  if (!value) return [];
  return value
    .split(',')
    .map(s => s.trim())
    .filter(Boolean)
    .map(s => {
      const uin = Number(s);
      if (!Number.isSafeInteger(uin) || uin <= 0)
        throw new Error(`SESSION_SEED_ACCOUNTS: ${JSON.stringify(s)} is not a uin`);
      return AccountRecord.parse({ uin, driver: 'simulator', options: { url: simulatorUrl } });
    });
}

export async function seedAccounts(
  redis: Redis,
  nc: NatsConnection,
  ns: Namespace,
  records: AccountRecord[],
): Promise<number> {
  let added = 0;
  for (const r of records)
    added += await redis.hsetnx(ns.accountsKey, String(r.uin), JSON.stringify(r));
  if (added > 0) nc.publish(ns.registrySubject, JSON.stringify({ added: records.map(r => r.uin) }));
  return added;
}
