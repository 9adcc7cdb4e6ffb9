/** Adds accounts to the registry (Redis hash `<ns>:accounts`) when they are not there yet. */
import { AccountRecord, type Namespace } from '@cqfleet/contracts';
import { AccountRegistry, type NatsConnection, type Redis } from '@cqfleet/runtime';

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
  return new AccountRegistry(redis, nc, ns).addMissing(records);
}
