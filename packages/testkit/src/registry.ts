/** Accounts added to a running cluster's registry, as the admin API would add them. */
import { AccountRecord, Namespace } from '@cqfleet/contracts';
import { AccountRegistry, connectNats, connectRedis, createLogger } from '@cqfleet/runtime';
import { testInfra } from './context.js';

/**
 * Parses `records` (AccountRecord input) and adds those the cluster's registry lacks; the
 * change is announced on the run's NATS, or on `natsUrl` for a cluster with its own.
 */
export async function registerAccounts(
  namespace: string,
  records: unknown[],
  natsUrl = testInfra().natsUrl,
): Promise<void> {
  const log = createLogger('test', 'silent');
  const nc = await connectNats(natsUrl, 'test', log);
  const redis = connectRedis(testInfra().redisUrl, 'test', log);
  try {
    await new AccountRegistry(redis, nc, new Namespace(namespace)).addMissing(
      records.map(r => AccountRecord.parse(r)),
    );
  } finally {
    redis.disconnect();
    await nc.drain();
  }
}
