/**
 * A chat's entries besides its buckets (`lo`, `nb`, its top in `gt`/`ut:<self>`/`pc:<self>`,
 * an upstream's group in `ug:<self>`) go with its last bucket, against a real Redis: an
 * upstream naming a new group or peer in every message does not grow Redis for good. And the
 * drop is one step against a concurrent put: a message written into a bucket while retention
 * drops it neither leaves an index entry naming a position a later message takes, nor is lost
 * to age retention.
 */
import { Namespace } from '@cqfleet/contracts';
import { connectRedis, createLogger, type Redis } from '@cqfleet/runtime';
import {
  groupMsg,
  MESSAGE_T0 as T0,
  privateMsg,
  testInfra,
  uniqueNamespace,
} from '@cqfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUCKET, MessageStore, type StoreOptions } from '@cqfleet/history-store';

const log = createLogger('test', 'silent');
let redis: Redis;
const LATER = (T0 + 10 * 3600) * 1000;

beforeAll(() => {
  redis = connectRedis(testInfra().redisUrl, 'test', log);
});
afterAll(() => redis?.disconnect());

/**
 * A store on `connection` (the test's Redis unless given), with age retention of an hour.
 * `keys()` lists what the store holds, without its prefix.
 */
function store(connection: Redis = redis, options: Partial<StoreOptions> = {}) {
  const ns = new Namespace(uniqueNamespace('chats'));
  const s = new MessageStore(connection, ns, {
    idSlots: 1024,
    keepPerChat: 0,
    maxAgeS: 3600,
    ...options,
  });
  const keys = async () =>
    (await redis.keys(`${ns.historyPrefix}*`)).map(k => k.slice(ns.historyPrefix.length)).sort();
  return { ns, s, keys };
}

/**
 * The test's Redis, but `hook` runs once, right after the first HGETALL of a bucket: what
 * another history replica could do between retention's read of a bucket and its drop.
 */
function withHookAfterRead(hook: () => Promise<void>): Redis {
  let armed = true;
  return new Proxy(redis, {
    get(target, prop, receiver) {
      if (prop === 'hgetallBuffer')
        return async (key: string) => {
          const entries = await target.hgetallBuffer(key);
          if (armed) {
            armed = false;
            await hook();
          }
          return entries;
        };
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
}

describe('chat entries and retention', () => {
  it('an upstream naming a new group and peer in every message leaves nothing once they age out', async () => {
    const { s, keys } = store();
    const groups = Array.from({ length: 50 }, (_, i) => groupMsg(30001, 500000 + i, 1, T0));
    const peers = Array.from({ length: 50 }, (_, i) => privateMsg(30001, 600000 + i, 30001, 1, T0));
    await s.putMany([...groups, ...peers], () => 'own');
    // A shared group of cqfleet's own drivers, too.
    await s.putMany([groupMsg(10001, 700000, 1, T0)]);
    expect(await keys()).toEqual(
      expect.arrayContaining(['lo', 'nb', 'gt', 'ut:30001', 'ug:30001', 'pc:30001']),
    );
    expect(await s.sweep(LATER, 1000)).toBe(101);
    // Only the accounts' shared groups and their seq runs are left (ag:<self> and av:<self>
    // are not recorded per group).
    expect((await keys()).sort()).toEqual(['ag:10001', 'av:10001']);
  });

  it('a chat keeps its entries while it has buckets; the last one takes them; it starts again', async () => {
    const { ns, s, keys } = store();
    // Bucket 1 is old, bucket 3 fresh.
    const old = Array.from({ length: BUCKET }, (_, i) => groupMsg(30001, 100100, BUCKET + i, T0));
    const fresh = groupMsg(30001, 100100, 3 * BUCKET, LATER / 1000 - 60);
    await s.putMany([...old, fresh], () => 'own');
    expect(await redis.hget(`${ns.historyPrefix}nb`, 'u:30001:100100')).toBe('2');
    expect(await s.sweep(LATER)).toBe(1);
    expect(await redis.hget(`${ns.historyPrefix}nb`, 'u:30001:100100')).toBe('1');
    expect(await redis.hget(`${ns.historyPrefix}lo`, 'u:30001:100100')).toBe('2');
    expect((await s.groupHistory(30001, 100100, 0))?.map(m => m.message_seq)).toEqual([3 * BUCKET]);
    expect(await s.sweep(LATER + 3600_000)).toBe(1);
    expect(await keys()).toEqual([]);
    await s.putMany([groupMsg(30001, 100100, 3, LATER / 1000)], () => 'own');
    expect((await s.groupHistory(30001, 100100, 0))?.map(m => m.message_seq)).toEqual([3]);
    expect(await redis.hget(`${ns.historyPrefix}nb`, 'u:30001:100100')).toBe('1');
  });

  it('a message written into a bucket while it is dropped is dropped with its index entry: no later message answers for it', async () => {
    let late: () => Promise<void> = async () => undefined;
    const { ns, s, keys } = store(withHookAfterRead(() => late()));
    await s.put(privateMsg(10001, 20001, 10001, 1));
    const second = privateMsg(10001, 20001, 10001, 2);
    late = () => s.put(second);
    expect(await s.dropBucket(`${ns.historyPrefix}p:10001:20001:0`)).toBe(true);
    expect(await keys()).toEqual([]);
    // The chat starts again at position 1: the second message's old position 2 is taken.
    await s.putMany([privateMsg(10001, 20001, 10001, 3), privateMsg(10001, 20001, 10001, 4)]);
    expect(await s.get(10001, second.message_id)).toBeUndefined();
    expect((await s.privateHistory(10001, 20001, 0, 10))?.map(m => m.message_seq)).toEqual([3, 4]);
  });

  it('a message written into an old bucket while age retention drops it keeps the bucket', async () => {
    let late: () => Promise<void> = async () => undefined;
    const { s } = store(withHookAfterRead(() => late()));
    const first = privateMsg(10001, 20001, 10001, 1, T0);
    await s.put(first);
    const second = privateMsg(10001, 20001, 10001, 2, LATER / 1000);
    late = () => s.put(second);
    expect(await s.sweep(LATER)).toBe(0);
    expect((await s.get(10001, first.message_id))?.message_seq).toBe(1);
    expect((await s.get(10001, second.message_id))?.message_seq).toBe(2);
  });

  it('a chat written before buckets were counted keeps its entries (its count would be short)', async () => {
    const { ns, s } = store(redis, { maxAgeS: 0 });
    await s.putMany(
      Array.from({ length: BUCKET + 1 }, (_, i) => privateMsg(10001, 20001, 10001, i + 1)),
    );
    await redis.hdel(`${ns.historyPrefix}nb`, 'p:10001:20001');
    expect(await s.dropBucket(`${ns.historyPrefix}p:10001:20001:0`)).toBe(true);
    expect(await redis.hget(`${ns.historyPrefix}pc:10001`, '20001')).toBe(String(BUCKET + 1));
    expect(await redis.hget(`${ns.historyPrefix}lo`, 'p:10001:20001')).toBe('1');
    // A new bucket of it is not counted either; positions go on.
    await s.putMany(
      Array.from({ length: BUCKET }, (_, i) => privateMsg(10001, 20001, 10001, 100 + i)),
    );
    expect(await redis.hexists(`${ns.historyPrefix}nb`, 'p:10001:20001')).toBe(0);
    expect(await redis.hget(`${ns.historyPrefix}pc:10001`, '20001')).toBe(String(2 * BUCKET + 1));
  });
});
