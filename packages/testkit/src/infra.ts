/**
 * NATS (with JetStream) and Redis for integration tests, from the first source that works:
 *
 * 1. `env`: `CQFLEET_TEST_NATS_URL` and `CQFLEET_TEST_REDIS_URL` (else `NATS_URL` / `REDIS_URL`)
 *    when both are set. CI sets them to the servers it installed and started.
 * 2. `containers`: `testcontainers` (pinned to 11.x, the last line that loads on Node 20)
 *    starts `redis:7-alpine` and `nats:2.10-alpine -js` when a container engine answers.
 * 3. `local`: `redis-server` and `nats-server` binaries on free loopback ports, with
 *    throw-away data directories, stopped afterwards.
 *
 * `CQFLEET_TEST_INFRA=env|containers|local` forces one path. Tests never assume an empty
 * server: they use unique namespaces (see names.ts).
 */
import { ensureNats, ensureRedis, freePort } from '@cqfleet/devcluster';
import type * as Testcontainers from 'testcontainers';

export type InfraMode = 'env' | 'containers' | 'local';

export interface TestInfra {
  mode: InfraMode;
  natsUrl: string;
  redisUrl: string;
  stop(): Promise<void>;
}

function fromEnv(env: NodeJS.ProcessEnv): TestInfra | undefined {
  const natsUrl = env.CQFLEET_TEST_NATS_URL ?? env.NATS_URL;
  const redisUrl = env.CQFLEET_TEST_REDIS_URL ?? env.REDIS_URL;
  if (!natsUrl || !redisUrl) return undefined;
  return { mode: 'env', natsUrl, redisUrl, stop: async () => {} };
}

/** Containers when an engine answers; undefined (quickly) when none does. */
export async function fromContainers(): Promise<TestInfra | undefined> {
  let tc: typeof Testcontainers;
  try {
    tc = await import('testcontainers');
    await tc.getContainerRuntimeClient();
  } catch {
    return undefined;
  }
  const redis = await new tc.GenericContainer('redis:7-alpine').withExposedPorts(6379).start();
  const nats = await new tc.GenericContainer('nats:2.10-alpine')
    .withCommand(['-js'])
    .withExposedPorts(4222)
    .start();
  return {
    mode: 'containers',
    redisUrl: `redis://${redis.getHost()}:${redis.getMappedPort(6379)}`,
    natsUrl: `nats://${nats.getHost()}:${nats.getMappedPort(4222)}`,
    stop: async () => {
      await Promise.all([redis.stop(), nats.stop()]);
    },
  };
}

/** Local binaries on free ports. */
export async function fromLocalBinaries(): Promise<TestInfra> {
  const redis = await ensureRedis(`redis://127.0.0.1:${await freePort()}`);
  const nats = await ensureNats(`nats://127.0.0.1:${await freePort()}`);
  return {
    mode: 'local',
    natsUrl: nats.url,
    redisUrl: redis.url,
    stop: async () => {
      await Promise.all([redis.stop(), nats.stop()]);
    },
  };
}

export async function resolveTestInfra(env: NodeJS.ProcessEnv = process.env): Promise<TestInfra> {
  const forced = env.CQFLEET_TEST_INFRA as InfraMode | undefined;
  if (forced === 'env' || !forced) {
    const e = fromEnv(env);
    if (e) return e;
    if (forced === 'env')
      throw new Error(
        'CQFLEET_TEST_INFRA=env but CQFLEET_TEST_NATS_URL / CQFLEET_TEST_REDIS_URL are not set',
      );
  }
  if (forced === 'containers' || !forced) {
    const c = await fromContainers();
    if (c) return c;
    if (forced === 'containers')
      throw new Error('CQFLEET_TEST_INFRA=containers but no container engine answers');
  }
  return fromLocalBinaries();
}
