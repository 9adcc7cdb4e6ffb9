/**
 * A shared group record is written once for every account in the group; an account reads
 * only the seqs it received itself (scripts.ts SEQ_WINDOWS): not what was said there before it
 * joined, nor after it left, received only by another tenant's account.
 */
import { Namespace } from '@cqfleet/contracts';
import { messageId } from '@cqfleet/onebot';
import { connectRedis, createLogger, type Redis } from '@cqfleet/runtime';
import { groupMsg, testInfra, uniqueNamespace } from '@cqfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SEQ_WINDOWS, MessageStore } from '@cqfleet/history-store';

const log = createLogger('test', 'silent');
let redis: Redis;

beforeAll(() => {
  redis = connectRedis(testInfra().redisUrl, 'test', log);
});
afterAll(() => redis?.disconnect());

const G = 100100;
const A = 10001;
const B = 10002;
const range = (lo: number, hi: number) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);

function fresh() {
  const ns = new Namespace(uniqueNamespace('windows'));
  return { ns, store: new MessageStore(redis, ns, { idSlots: 1024, keepPerChat: 0, maxAgeS: 0 }) };
}

const seqsOf = (page: Array<{ message_seq: number }> | undefined) =>
  (page ?? []).map(m => m.message_seq);

describe('an account reads the group seqs it received', () => {
  it('not before it joined, not after it left, again once it is back', async () => {
    const { store } = fresh();
    // B is there from seq 1; A joins at 4, leaves after 6, is back at 10.
    for (const seq of range(1, 12)) {
      const batch = [groupMsg(B, G, seq)];
      if ((seq >= 4 && seq <= 6) || seq >= 10) batch.push(groupMsg(A, G, seq));
      await store.putMany(batch);
    }
    expect(seqsOf(await store.groupHistory(A, G, 0))).toEqual([4, 5, 6, 10, 11, 12]);
    expect(seqsOf(await store.groupHistory(B, G, 0))).toEqual(range(1, 12));
    for (const seq of [1, 3, 7, 9]) expect(await store.get(A, messageId(G, seq))).toBeUndefined();
    for (const seq of [4, 6, 10, 12])
      expect((await store.get(A, messageId(G, seq)))?.message_seq).toBe(seq);
    expect((await store.get(B, messageId(G, 8)))?.message_seq).toBe(8);
  });

  it('after it left for good, its newest page ends where it left', async () => {
    const { store } = fresh();
    for (const seq of range(1, 30)) {
      const batch = [groupMsg(B, G, seq)];
      if (seq <= 5) batch.push(groupMsg(A, G, seq));
      await store.putMany(batch);
    }
    expect(seqsOf(await store.groupHistory(A, G, 0))).toEqual(range(1, 5));
    // A page asked for past what it received is not there for it.
    expect(await store.groupHistory(A, G, 20)).toBeUndefined();
  });

  it('seqs stored out of order (two history replicas, a redelivery) join into one run', async () => {
    const { store } = fresh();
    for (const seq of [1, 2, 5, 3, 4, 8, 7, 6, 2]) await store.putMany([groupMsg(A, G, seq)]);
    await store.putMany(range(1, 8).map(seq => groupMsg(B, G, seq)));
    expect(seqsOf(await store.groupHistory(A, G, 0))).toEqual(range(1, 8));
  });

  it('keeps the newest runs when an account comes and goes more often than it can hold', async () => {
    const { ns, store } = fresh();
    // A receives every other seq: each is a run of its own.
    const seqs = range(1, 2 * (MAX_SEQ_WINDOWS + 5)).filter(s => s % 2 === 1);
    for (const seq of seqs) await store.putMany([groupMsg(A, G, seq)]);
    const key = `${ns.historyPrefix}av:${A}`;
    const older = (await redis.hget(key, `${G}~`))!.split(' ');
    const windows = [...older, ...(await redis.hget(key, String(G)))!.split(' ')];
    expect(windows).toHaveLength(2 * MAX_SEQ_WINDOWS);
    const kept = seqs.slice(-MAX_SEQ_WINDOWS);
    expect(Number(windows[0])).toBe(kept[0]);
    expect(await store.get(A, messageId(G, seqs[0]!))).toBeUndefined();
    expect((await store.get(A, messageId(G, kept[0]!)))?.message_seq).toBe(kept[0]);
  });

  it('a group stored before there were windows stays readable as a whole', async () => {
    const { ns, store } = fresh();
    await store.putMany(range(1, 3).map(seq => groupMsg(B, G, seq)));
    // What an earlier version wrote: the group opened to A, no windows.
    await redis.sadd(`${ns.historyPrefix}ag:${A}`, String(G));
    expect(seqsOf(await store.groupHistory(A, G, 0))).toEqual([1, 2, 3]);
    expect((await store.get(A, messageId(G, 2)))?.message_seq).toBe(2);
    // Its first message since starts its runs, and what it read before stays readable.
    await store.putMany([groupMsg(B, G, 4), groupMsg(A, G, 4)]);
    await store.putMany([groupMsg(B, G, 5)]);
    expect(seqsOf(await store.groupHistory(A, G, 0))).toEqual([1, 2, 3, 4]);
    expect((await store.get(A, messageId(G, 1)))?.message_seq).toBe(1);
    expect(await store.get(A, messageId(G, 5))).toBeUndefined();
  });
});
