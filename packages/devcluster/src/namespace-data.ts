/**
 * Removing what a finished cluster of a test or benchmark left in the shared NATS and Redis:
 * the namespace's event stream (with its consumers) and every Redis key under `<ns>:` (the
 * registry, leases, cursors, history and the media queue: contracts' namespace.ts).
 *
 * Each run takes a namespace of its own, so without this every run adds its stream and keys to
 * the developer's servers for good: a day of benchmarks left 25 streams (1.4 GB on disk) and
 * 800 k keys (284 MB) in them, and later runs measured a nats-server and a Redis carrying that.
 * The default namespace is refused: it is where `npm start` keeps a user's data.
 */
import { DEFAULT_NAMESPACE, Namespace } from '@cqfleet/contracts';
import { connectRedis, createLogger, type Redis } from '@cqfleet/runtime';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

export interface DroppedData {
  /** Event streams that existed and were deleted (0 or 1 for one namespace). */
  streams: number;
  /** Redis keys deleted. */
  keys: number;
}

/** Keys looked at per SCAN step, and deleted per UNLINK. */
const SCAN_COUNT = 1_000;

/**
 * Deletes namespace `namespace`'s event stream and Redis keys. For a namespace no process uses
 * any more: a service still running there would write again, or lose what it reads.
 */
export function dropNamespaceData(o: {
  natsUrl: string;
  redisUrl: string;
  namespace: string;
}): Promise<DroppedData> {
  return dropNamespacesData({ ...o, namespaces: [o.namespace] });
}

/**
 * The same for several namespaces at once (a test run's, at its end): one connection to each
 * server, and one pass over Redis's keys however many namespaces there are.
 */
export async function dropNamespacesData(o: {
  natsUrl: string;
  redisUrl: string;
  namespaces: readonly string[];
}): Promise<DroppedData> {
  if (o.namespaces.includes(DEFAULT_NAMESPACE))
    throw new Error(`refusing to drop the data of the default namespace "${DEFAULT_NAMESPACE}"`);
  const namespaces = [...new Set(o.namespaces)].map(name => new Namespace(name));
  if (namespaces.length === 0) return { streams: 0, keys: 0 };
  // Bounded: a server that is gone fails this, instead of holding a test's teardown.
  const nc = await connect({
    servers: o.natsUrl.split(','),
    name: 'drop-namespace',
    timeout: 5_000,
  });
  let streams = 0;
  try {
    const jsm = await jetstreamManager(nc);
    for (const ns of namespaces)
      if (await jsm.streams.delete(ns.eventStream).catch(() => false)) streams++;
  } finally {
    await nc.close();
  }
  const redis = connectRedis(o.redisUrl, 'drop-namespace', createLogger('devcluster', 'warn'), {
    maxRetriesPerRequest: 1,
  });
  try {
    // A key is under namespace <ns> when it begins `<ns>:` (contracts' namespace.ts). One
    // namespace's keys are also matched by Redis (names are letters, digits, "_" and "-":
    // never a glob), so its SCAN does not send every other key back.
    const names = new Set(namespaces.map(ns => ns.name));
    const under = (key: string) => names.has(key.slice(0, key.indexOf(':')));
    const pattern = namespaces.length === 1 ? namespaces[0]!.key('*') : '*:*';
    return { streams, keys: await unlinkMatching(redis, pattern, under) };
  } finally {
    redis.disconnect();
  }
}

/**
 * Deletes every key matching the glob `pattern` (and `only`, when given) with SCAN, then
 * UNLINK; returns how many.
 */
export async function unlinkMatching(
  redis: Redis,
  pattern: string,
  only: (key: string) => boolean = () => true,
): Promise<number> {
  let keys = 0;
  let cursor = '0';
  do {
    const [next, scanned] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
    cursor = next;
    const found = scanned.filter(only);
    if (found.length > 0) keys += await redis.unlink(...found);
  } while (cursor !== '0');
  return keys;
}
