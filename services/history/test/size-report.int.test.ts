/**
 * The count of kept messages the console shows: every bucket hash of group and private chats
 * is counted, nothing else under the history prefix is, and the result lands in
 * `<ns>:history:size` with an expiry.
 */
import { HistorySize, Namespace } from '@cqfleet/contracts';
import { SizeReporter } from '@cqfleet/history';
import { MessageStore } from '@cqfleet/history-store';
import { connectRedis, createLogger, type Redis } from '@cqfleet/runtime';
import { groupMsg, privateMsg, testInfra, uniqueNamespace } from '@cqfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const log = createLogger('test', 'silent');
let redis: Redis;

beforeAll(() => {
  redis = connectRedis(testInfra().redisUrl, 'test', log);
});
afterAll(() => redis?.disconnect());

describe('history size report', () => {
  it('counts every kept message once, across buckets, groups and private chats', async () => {
    const ns = new Namespace(uniqueNamespace('size'));
    const store = new MessageStore(redis, ns, { idSlots: 64, keepPerChat: 0, maxAgeS: 0 });
    const reporter = new SizeReporter(redis, store, ns, 60_000, log);
    expect((await reporter.report()).messages).toBe(0);

    // 150 group messages span three buckets; both accounts see them: still 150 records.
    const group = Array.from({ length: 150 }, (_, i) => [
      groupMsg(10001, 100100, i + 1),
      groupMsg(10002, 100100, i + 1),
    ]).flat();
    await store.putMany(group);
    await store.putMany([groupMsg(10001, 100200, 1), privateMsg(10001, 20001, 10001, 1)]);
    const size = await reporter.report();
    expect(size.messages).toBe(152);
    const stored = HistorySize.parse(JSON.parse((await redis.get(ns.historySizeKey))!));
    expect(stored).toEqual(size);
    expect(await redis.pttl(ns.historySizeKey)).toBeGreaterThan(0);
  });

  it('scans once, for a store without a count; then the scripts keep the count', async () => {
    const ns = new Namespace(uniqueNamespace('size'));
    const store = new MessageStore(redis, ns, { idSlots: 64, keepPerChat: 0, maxAgeS: 0 });
    // Written before there was a count: the scripts do not start one.
    await store.putMany(Array.from({ length: 70 }, (_, i) => groupMsg(10001, 100100, i + 1)));
    expect(await store.count()).toBeUndefined();
    const reporter = new SizeReporter(redis, store, ns, 60_000, log);
    expect((await reporter.report()).messages).toBe(70);
    expect(await store.count()).toBe(70);

    // New records count; a redelivered group or private message does not count twice.
    await store.putMany([groupMsg(10001, 100100, 71), privateMsg(10001, 20001, 10001, 1)]);
    await store.putMany([groupMsg(10002, 100100, 71), privateMsg(10001, 20001, 10001, 1)]);
    expect((await reporter.report()).messages).toBe(72);

    // No scan from now on: a bucket deleted behind the store's back is not noticed…
    await redis.del(`${ns.historyPrefix}g:100100:1`);
    expect((await reporter.report()).messages).toBe(72);
    // …while the store's own drop takes its records off (bucket 0: seqs 1–63).
    await store.dropBucket(`${ns.historyPrefix}g:100100:0`);
    expect((await reporter.report()).messages).toBe(72 - 63);
    await store.dropBucket(`${ns.historyPrefix}g:100100:0`);
    expect(await store.count()).toBe(72 - 63);
  });
});
