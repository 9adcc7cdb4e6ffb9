/**
 * dropNamespaceData: what a finished test or benchmark cluster left in the shared NATS and
 * Redis goes, and nothing of another namespace, even one whose name begins the same.
 */
import { DEFAULT_NAMESPACE, Namespace } from '@cqfleet/contracts';
import { dropNamespaceData, dropNamespacesData } from '@cqfleet/devcluster';
import {
  connectNats,
  connectRedis,
  createLogger,
  ensureEventStream,
  type NatsConnection,
  type Redis,
} from '@cqfleet/runtime';
import { testInfra, uniqueNamespace } from '@cqfleet/testkit';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, expect, it } from 'vitest';

const log = createLogger('test', 'silent');
let nc: NatsConnection;
let redis: Redis;

beforeAll(async () => {
  nc = await connectNats(testInfra().natsUrl, 'test', log);
  redis = connectRedis(testInfra().redisUrl, 'test', log);
});
afterAll(async () => {
  await nc.drain();
  redis.disconnect();
});

const streamExists = async (ns: Namespace) =>
  (await jetstreamManager(nc)).streams.info(ns.eventStream).then(
    () => true,
    () => false,
  );

it("deletes the namespace's stream and keys, and nothing of a namespace named like it", async () => {
  const ns = new Namespace(uniqueNamespace('drop'));
  const neighbour = new Namespace(`${ns.name}x`);
  for (const n of [ns, neighbour]) {
    await ensureEventStream(nc, n, { storage: 'memory' });
    await redis.hset(n.accountsKey, '10001', '{}');
    await redis.set(n.key('lease', 10001), 'w|1');
    await redis.set(`${n.historyPrefix}m:1`, 'x');
  }
  await redis.set(`${ns.name}-plain`, 'not under the namespace');
  // More keys than one SCAN step looks at, so the loop has to go on.
  await redis.mset(...Array.from({ length: 2_500 }, (_, i) => [ns.key('many', i), '1']).flat());

  const dropped = await dropNamespaceData({ ...testInfra(), namespace: ns.name });

  expect(dropped).toEqual({ streams: 1, keys: 2_503 });
  expect(await streamExists(ns)).toBe(false);
  expect(await redis.exists(ns.accountsKey, ns.key('lease', 10001), ns.key('many', 7))).toBe(0);
  expect(await streamExists(neighbour)).toBe(true);
  expect(await redis.exists(neighbour.accountsKey, `${neighbour.historyPrefix}m:1`)).toBe(2);
  expect(await redis.get(`${ns.name}-plain`)).toBe('not under the namespace');
  // Again: nothing left, nothing fails.
  expect(await dropNamespaceData({ ...testInfra(), namespace: ns.name })).toEqual({
    streams: 0,
    keys: 0,
  });

  await dropNamespaceData({ ...testInfra(), namespace: neighbour.name });
  await redis.del(`${ns.name}-plain`);
});

it("deletes several namespaces' data in one pass, and nothing of another namespace", async () => {
  const run = [1, 2, 3].map(() => new Namespace(uniqueNamespace('drop')));
  const other = new Namespace(uniqueNamespace('keep'));
  for (const n of [...run, other]) {
    await ensureEventStream(nc, n, { storage: 'memory' });
    await redis.set(n.key('lease', 10001), 'w|1');
  }
  // Keys beginning with a run namespace's name that are not under it stay.
  await redis.set(`${run[0]!.name}x:lease`, 'a neighbour');
  await redis.mset(...Array.from({ length: 1_500 }, (_, i) => [run[1]!.key('m', i), '1']).flat());

  // A name given twice counts once; a namespace without data costs nothing.
  const names = [...run.map(n => n.name), run[0]!.name, uniqueNamespace('empty')];
  const dropped = await dropNamespacesData({ ...testInfra(), namespaces: names });

  expect(dropped).toEqual({ streams: 3, keys: 1_503 });
  for (const n of run) expect(await streamExists(n)).toBe(false);
  expect(await streamExists(other)).toBe(true);
  expect(await redis.get(other.key('lease', 10001))).toBe('w|1');
  expect(await redis.get(`${run[0]!.name}x:lease`)).toBe('a neighbour');

  await dropNamespaceData({ ...testInfra(), namespace: other.name });
  await redis.del(`${run[0]!.name}x:lease`);
});

it('refuses the default namespace, where `npm start` keeps its data', async () => {
  await expect(dropNamespaceData({ ...testInfra(), namespace: DEFAULT_NAMESPACE })).rejects.toThrow(
    /default namespace/,
  );
  await expect(
    dropNamespacesData({ ...testInfra(), namespaces: ['t-1', DEFAULT_NAMESPACE] }),
  ).rejects.toThrow(/default namespace/);
});
