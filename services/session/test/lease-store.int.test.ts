import { Namespace } from '@cqfleet/contracts';
import { createLogger, connectRedis, type Redis } from '@cqfleet/runtime';
import { testInfra, uniqueNamespace } from '@cqfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeaseStore } from '../src/ownership/lease-store.js';

let redis: Redis;
let store: LeaseStore;
let ns: Namespace;

beforeAll(() => {
  redis = connectRedis(testInfra().redisUrl, 'test', createLogger('test', 'silent'));
  ns = new Namespace(uniqueNamespace('lease'));
  store = new LeaseStore(redis, ns);
});
afterAll(() => redis.disconnect());

describe('lease store', () => {
  it('one holder at a time; each new lease gets a higher fence', async () => {
    const a = await store.acquire(1, 'w-a', 10_000);
    expect(a).toBe(1);
    expect(await store.acquire(1, 'w-b', 10_000)).toBeUndefined();
    expect(await store.holder(1)).toEqual({ workerId: 'w-a', fence: 1 });
    expect(await store.release(1, { workerId: 'w-a', fence: 1 })).toBe(true);
    expect(await store.acquire(1, 'w-b', 10_000)).toBe(2);
  });

  it('renew and release only work for the current holder', async () => {
    const fence = (await store.acquire(2, 'w-a', 10_000))!;
    expect(await store.renew(2, { workerId: 'w-b', fence }, 10_000)).toBe(false);
    expect(await store.renew(2, { workerId: 'w-a', fence: fence + 1 }, 10_000)).toBe(false);
    expect(await store.renew(2, { workerId: 'w-a', fence }, 10_000)).toBe(true);
    expect(await store.release(2, { workerId: 'w-b', fence })).toBe(false);
  });

  it('an expired lease can be taken; the old holder can neither renew nor write fenced keys', async () => {
    const old = { workerId: 'w-a', fence: (await store.acquire(3, 'w-a', 100))! };
    await new Promise(r => setTimeout(r, 200));
    const fresh = { workerId: 'w-b', fence: (await store.acquire(3, 'w-b', 10_000))! };
    expect(fresh.fence).toBeGreaterThan(old.fence);
    expect(await store.renew(3, old, 10_000)).toBe(false);
    expect(await store.setIfOwner(3, old, ns.cursorKey(3), 'stale')).toBe(false);
    expect(await store.setIfOwner(3, fresh, ns.cursorKey(3), 'fresh')).toBe(true);
    expect(await redis.get(ns.cursorKey(3))).toBe('fresh');
  });
});
