/**
 * Forwards in the store: an upstream account's own (its resids the tenant's choice, its nodes
 * the upstream's word) are kept only its newest MAX_FORWARDS_PER_ACCOUNT, and no record past
 * MAX_FORWARD_RECORD_BYTES is kept at all — served, not stored.
 */
import { Namespace } from '@cqfleet/contracts';
import type { ForwardNodeRecord } from '@cqfleet/contracts';
import { connectRedis, createLogger, type Redis } from '@cqfleet/runtime';
import { testInfra, uniqueNamespace } from '@cqfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_FORWARD_RECORD_BYTES,
  MAX_FORWARDS_PER_ACCOUNT,
  MessageStore,
} from '@cqfleet/history-store';

const log = createLogger('test', 'silent');
let redis: Redis;
beforeAll(() => {
  redis = connectRedis(testInfra().redisUrl, 'test', log);
});
afterAll(() => redis?.disconnect());

const node = (text: string): ForwardNodeRecord => ({
  user_id: 20001,
  nickname: 'Alice',
  time: 1,
  message: [{ type: 'text', data: { text } }],
});

function fresh(maxAgeS = 0) {
  const ns = new Namespace(uniqueNamespace('forwards'));
  return { ns, store: new MessageStore(redis, ns, { idSlots: 1024, keepPerChat: 0, maxAgeS }) };
}

describe('forwards in the store', () => {
  it('an upstream account keeps its newest MAX_FORWARDS_PER_ACCOUNT; another account keeps its own', async () => {
    const { ns, store } = fresh();
    const extra = 5;
    for (let i = 0; i < MAX_FORWARDS_PER_ACCOUNT + extra; i++)
      await store.putForward(`r${i}`, [node(`n${i}`)], 30001);
    await store.putForward('r0', [node('other')], 30002);
    for (let i = 0; i < extra; i++) expect(await store.getForward(`r${i}`, 30001)).toBeUndefined();
    const last = MAX_FORWARDS_PER_ACCOUNT + extra - 1;
    expect(await store.getForward(`r${last}`, 30001)).toEqual([node(`n${last}`)]);
    expect(await store.getForward('r0', 30002)).toEqual([node('other')]);
    const keys = await redis.keys(`${ns.historyPrefix}fu:30001:*`);
    expect(keys).toHaveLength(MAX_FORWARDS_PER_ACCOUNT);
    expect(await redis.zcard(`${ns.historyPrefix}fx:30001`)).toBe(MAX_FORWARDS_PER_ACCOUNT);
  });

  it('a record past MAX_FORWARD_RECORD_BYTES is not kept, shared or own', async () => {
    const { store } = fresh(3600);
    const big = [node('x'.repeat(MAX_FORWARD_RECORD_BYTES))];
    expect(await store.putForward('big', big, 30001)).toBe(false);
    expect(await store.putForward('big', big)).toBe(false);
    expect(await store.getForward('big', 30001)).toBeUndefined();
    expect(await store.getForward('big')).toBeUndefined();
    expect(await store.putForward('small', [node('hi')])).toBe(true);
    expect(await store.getForward('small')).toEqual([node('hi')]);
  });
});
