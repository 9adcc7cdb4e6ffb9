/**
 * The registry's mark (account-registry.ts): declared accounts seed the registry again only
 * when Redis lost it, never after an operator removed every account.
 */
import { AccountRecord, Namespace } from '@cqfleet/contracts';
import {
  AccountRegistry,
  connectNats,
  connectRedis,
  createLogger,
  type NatsConnection,
  type Redis,
} from '@cqfleet/runtime';
import { testInfra, uniqueNamespace } from '@cqfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const log = createLogger('test', 'silent');
let redis: Redis;
let nc: NatsConnection;

beforeAll(async () => {
  redis = connectRedis(testInfra().redisUrl, 'test', log);
  nc = await connectNats(testInfra().natsUrl, 'test', log);
});
afterAll(async () => {
  redis.disconnect();
  await nc.drain();
});

const record = (uin: number) => AccountRecord.parse({ uin, options: { url: 'http://sim' } });

describe('account registry', () => {
  it('seeds declared accounts when Redis lost the registry, not when it was emptied on purpose', async () => {
    const ns = new Namespace(uniqueNamespace('registry'));
    const registry = new AccountRegistry(redis, nc, ns);
    const announced: string[] = [];
    const sub = nc.subscribe(ns.registrySubject, {
      callback: (_e, m) => void announced.push(m.string()),
    });
    // A fresh Redis: the declared accounts go in, once.
    expect(await registry.seedIfLost([record(1), record(2)])).toEqual([1, 2]);
    expect(await registry.seedIfLost([record(1), record(2), record(3)])).toEqual([]);
    expect((await registry.all()).map(r => r.uin)).toEqual([1, 2]);
    // An operator removes every account: the registry exists, empty, and stays so.
    await registry.remove(1);
    await registry.remove(2);
    expect(await redis.exists(ns.accountsKey)).toBe(0);
    expect(await registry.seedIfLost([record(1)])).toEqual([]);
    // Redis loses everything: seeded again, an operator's account kept where one is there.
    await redis.del(ns.accountsSinceKey);
    await registry.put(record(9));
    await redis.del(ns.accountsSinceKey);
    expect(await registry.seedIfLost([record(1), record(9)])).toEqual([1]);
    expect((await registry.all()).map(r => r.uin)).toEqual([1, 9]);
    await nc.flush();
    expect(announced.map(a => JSON.parse(a) as unknown)).toContainEqual({
      change: 'put',
      uins: [1, 2],
    });
    sub.unsubscribe();
  });
});
