/**
 * Accounts the worker is told about at start, which seed the registry (Redis hash
 * `<ns>:accounts`): `SESSION_SEED_ACCOUNTS` (uins on the simulator) and `SESSION_ACCOUNTS_FILE`
 * (a JSON array of account records, e.g. a Kubernetes ConfigMap). At start the records missing
 * from the registry are added; afterwards, whenever Redis has lost the registry (it came back
 * empty), they are all added again (LeaseManager, before it reads the candidates).
 */
import { readFile, stat } from 'node:fs/promises';
import { AccountRecord, type Namespace } from '@cqfleet/contracts';
import { AccountRegistry, type NatsConnection, type Redis } from '@cqfleet/runtime';
import { z } from 'zod';

/** Longest accounts file read: far more than any fleet's records. */
const MAX_ACCOUNTS_FILE_BYTES = 16 * 1024 * 1024;

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

const AccountsFile = z
  .array(AccountRecord)
  .refine(rs => new Set(rs.map(r => r.uin)).size === rs.length, 'a uin is declared twice');

/**
 * Reads `SESSION_ACCOUNTS_FILE`: a JSON array of account records, as the admin API takes them.
 * Any problem (missing, too large, not JSON, a bad record) fails the start, naming the file.
 */
export async function readAccountsFile(path: string | undefined): Promise<AccountRecord[]> {
  if (!path) return [];
  const fail = (why: string): never => {
    throw new Error(`SESSION_ACCOUNTS_FILE ${path}: ${why}`);
  };
  const size = await stat(path).then(
    s => s.size,
    (err: Error) => fail(err.message),
  );
  if (size > MAX_ACCOUNTS_FILE_BYTES) fail(`larger than ${MAX_ACCOUNTS_FILE_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    return fail(`not JSON (${(err as Error).message})`);
  }
  const parsed = AccountsFile.safeParse(json);
  if (!parsed.success)
    return fail(
      parsed.error.issues.map(i => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; '),
    );
  return parsed.data;
}

/** The declared accounts: the file's, then the seeded uins the file does not declare. */
export function declaredAccounts(file: AccountRecord[], seeded: AccountRecord[]): AccountRecord[] {
  const inFile = new Set(file.map(r => r.uin));
  return [...file, ...seeded.filter(r => !inFile.has(r.uin))];
}

export async function seedAccounts(
  redis: Redis,
  nc: NatsConnection,
  ns: Namespace,
  records: AccountRecord[],
): Promise<number> {
  return new AccountRegistry(redis, nc, ns).addMissing(records);
}
