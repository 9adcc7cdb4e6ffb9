/**
 * The layout history publishes for other readers (layout.ts): read back as written; absent or
 * foreign values read as no layout, so a reader asks history rather than guess the id index.
 */
import { Namespace } from '@cqfleet/contracts';
import { connectRedis, createLogger, type Redis } from '@cqfleet/runtime';
import { testInfra, uniqueNamespace } from '@cqfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishLayout, readLayout } from '@cqfleet/history-store';

let redis: Redis;

beforeAll(() => {
  redis = connectRedis(testInfra().redisUrl, 'test', createLogger('test', 'silent'));
});
afterAll(() => redis?.disconnect());

describe('store layout', () => {
  it('reads back what history published; nothing before that', async () => {
    const ns = new Namespace(uniqueNamespace('layout'));
    expect(await readLayout(redis, ns)).toBeUndefined();
    await publishLayout(redis, ns, { idSlots: 4096 });
    expect(await readLayout(redis, ns)).toEqual({ idSlots: 4096 });
    await redis.del(`${ns.historyPrefix}layout`);
  });

  it('a layout it cannot parse is no layout', async () => {
    const ns = new Namespace(uniqueNamespace('layout'));
    const key = `${ns.historyPrefix}layout`;
    for (const idSlots of ['0', '-5', '1.5', 'many', '99999999999']) {
      await redis.hset(key, { idSlots });
      expect(await readLayout(redis, ns)).toBeUndefined();
    }
    await redis.del(key);
    await redis.set(key, 'not a hash');
    await expect(readLayout(redis, ns)).rejects.toThrow(/WRONGTYPE/);
    await redis.del(key);
  });
});
