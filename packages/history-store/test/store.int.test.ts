/**
 * The Redis layout against a real Redis: shared group records, private chats kept apart,
 * idempotent writes, count and age retention that clean the id index too, and reads that
 * survive foreign bytes.
 */
import { Namespace } from '@cqfleet/contracts';
import { type MessageEvent, messageId } from '@cqfleet/onebot';
import { connectRedis, createLogger, type Redis } from '@cqfleet/runtime';
import {
  groupMsg,
  MESSAGE_T0 as T0,
  privateMsg,
  testInfra,
  uniqueNamespace,
} from '@cqfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUCKET,
  MAX_LOCATIONS_PER_ACCOUNT,
  MessageStore,
  type StoreOptions,
} from '@cqfleet/history-store';

const log = createLogger('test', 'silent');
let redis: Redis;

beforeAll(() => {
  redis = connectRedis(testInfra().redisUrl, 'test', log);
});
afterAll(() => redis?.disconnect());

function store(options: Partial<StoreOptions> = {}) {
  const ns = new Namespace(uniqueNamespace('store'));
  return {
    ns,
    store: new MessageStore(redis, ns, { idSlots: 1024, keepPerChat: 0, maxAgeS: 0, ...options }),
  };
}

describe('history store', () => {
  it('a group message seen by two accounts is one record; both read it, an outsider does not', async () => {
    const { ns, store: s } = store();
    await s.putMany([groupMsg(10001, 100100, 5), groupMsg(10002, 100100, 5)]);
    const id = messageId(100100, 5);
    expect(await redis.hlen(`${ns.historyPrefix}g:100100:0`)).toBe(1);
    expect((await s.get(10001, id))?.self_id).toBe(10001);
    expect((await s.get(10002, id))?.self_id).toBe(10002);
    expect(await s.get(10003, id)).toBeUndefined();
    expect(await s.groupHistory(10003, 100100, 0)).toEqual([]);
  });

  it('a group message that many accounts see in one batch is written once and opens the group to each', async () => {
    const { ns, store: s } = store();
    await s.seedCount(0);
    // 60 copies (over one script chunk), with another group's message between them.
    const copies = Array.from({ length: 60 }, (_, i) => groupMsg(10001 + i, 100100, 9));
    await s.putMany([...copies.slice(0, 30), groupMsg(10001, 100200, 1), ...copies.slice(30)]);
    expect(await redis.hlen(`${ns.historyPrefix}g:100100:0`)).toBe(1);
    expect(await s.count()).toBe(2);
    const id = messageId(100100, 9);
    for (const self of [10001, 10031, 10060]) {
      expect((await s.get(self, id))?.self_id).toBe(self);
      expect((await s.groupHistory(self, 100100, 0))?.map(m => m.message_seq)).toEqual([9]);
    }
    expect(await s.get(10061, id)).toBeUndefined();
    expect(await s.groupHistory(10031, 100200, 0)).toEqual([]);
  });

  it('a private chat is the account’s own, even when the other account stores the same message', async () => {
    const { store: s } = store();
    const sent = privateMsg(10001, 10001, 20001, 1);
    await s.putMany([sent, privateMsg(10001, 20001, 10001, 1), privateMsg(10001, 10001, 20001, 2)]);
    expect(await s.get(10002, sent.message_id)).toBeUndefined();
    expect((await s.get(10001, sent.message_id))?.post_type).toBe('message_sent');
    const chat = await s.privateHistory(10001, 20001, 0, 10);
    expect(chat?.map(m => [m.user_id, m.message_seq])).toEqual([
      [10001, 1],
      [20001, 1],
      [10001, 2],
    ]);
    // seq 1 names one message from each side; the peer’s is where the page ends.
    expect((await s.privateHistory(10001, 20001, 1, 10))?.map(m => m.user_id)).toEqual([
      10001, 20001,
    ]);
    expect(await s.privateHistory(10001, 20001, 99, 10)).toBeUndefined();
  });

  it('writes are idempotent: a redelivered private or group message is stored once', async () => {
    const { store: s } = store();
    const m = privateMsg(10001, 20001, 10001, 7);
    await s.putMany([m, m]);
    await s.put(m);
    await s.putMany([groupMsg(10001, 100100, 3), groupMsg(10001, 100100, 3)]);
    expect(await s.privateHistory(10001, 20001, 0, 10)).toHaveLength(1);
    expect(await s.groupHistory(10001, 100100, 0)).toHaveLength(1);
  });

  it('a batch mixing group and private messages across script chunks stores each once', async () => {
    const { store: s } = store();
    const batch = Array.from({ length: 130 }, (_, i) =>
      i % 2 === 0 ? groupMsg(10001, 100100, i + 1) : privateMsg(10001, 20001, 10001, i + 1),
    );
    await s.putMany(batch);
    await s.putMany(batch); // redelivered: nothing changes
    for (const m of batch)
      expect((await s.get(10001, m.message_id))?.message_seq).toBe(m.message_seq);
    expect(await s.privateHistory(10001, 20001, 0, 200)).toHaveLength(65);
    expect((await s.groupHistory(10001, 100100, 0))?.at(-1)?.message_seq).toBe(129);
  });

  it('get_group_msg_history is seq-19 .. seq, with gaps left out', async () => {
    const { store: s } = store();
    await s.putMany(
      Array.from({ length: 150 }, (_, i) => groupMsg(10001, 100100, i + 1)).filter(
        m => m.message_seq !== 120,
      ),
    );
    const page = await s.groupHistory(10001, 100100, 130);
    expect(page?.map(m => m.message_seq)).toEqual(
      Array.from({ length: 20 }, (_, i) => 111 + i).filter(q => q !== 120),
    );
    expect((await s.groupHistory(10001, 100100, 0))?.at(-1)?.message_seq).toBe(150);
    expect((await s.groupHistory(10001, 100100, 5))?.map(m => m.message_seq)).toEqual([
      1, 2, 3, 4, 5,
    ]);
  });

  it('count retention trims whole buckets and their id-index entries', async () => {
    const { ns, store: s } = store({ keepPerChat: 100 });
    const all = Array.from({ length: 5 * BUCKET }, (_, i) => groupMsg(10001, 100100, i + 1));
    for (let i = 0; i < all.length; i += 50) await s.putMany(all.slice(i, i + 50));
    const newest = 5 * BUCKET;
    const firstKept = Math.floor((newest - 100 + 1) / BUCKET) * BUCKET;
    expect(await s.get(10001, messageId(100100, firstKept - 1))).toBeUndefined();
    expect(await s.get(10001, messageId(100100, firstKept))).toBeDefined();
    expect(await s.groupHistory(10001, 100100, 20)).toEqual([]);
    expect(await redis.exists(`${ns.historyPrefix}g:100100:0`)).toBe(0);
    let indexed = 0;
    for (const key of await redis.keys(`${ns.historyPrefix}i:*`)) indexed += await redis.hlen(key);
    expect(indexed).toBe(newest - firstKept + 1);
  });

  it('age retention drops buckets whose newest message is too old, from the ages index', async () => {
    const { ns, store: s } = store({ maxAgeS: 3600 });
    const now = (T0 + 10 * 3600) * 1000;
    const old = Array.from({ length: BUCKET }, (_, i) => groupMsg(10001, 100200, i, T0 + i)); // bucket 0
    const fresh = groupMsg(10001, 100200, BUCKET, now / 1000 - 60); // bucket 1
    const oldChat = privateMsg(10001, 20001, 10001, 1, T0);
    await s.putMany([...old, fresh, oldChat]);
    expect(await redis.zcard(`${ns.historyPrefix}ages`)).toBe(3);
    expect(await s.sweep(now)).toBe(2);
    expect(await s.get(10001, messageId(100200, 3))).toBeUndefined();
    expect(await s.get(10001, oldChat.message_id)).toBeUndefined();
    expect((await s.get(10001, fresh.message_id))?.message_seq).toBe(BUCKET);
    expect(await s.sweep(now)).toBe(0);
  });

  it('an upstream’s own ids: found by them, pages show them, seqs still find positions, retention cleans both', async () => {
    const { ns, store: s } = store({ maxAgeS: 3600 });
    const now = (T0 + 10 * 3600) * 1000;
    // NapCat-style ids, not the CRC of chat and seq.
    const inGroup = { ...groupMsg(10001, 100300, 7, T0), message_id: 4242 };
    const inChat = { ...privateMsg(10001, 20001, 10001, 9, T0), message_id: 5151 };
    await s.putMany([inGroup, inChat]);
    expect((await s.get(10001, 4242))?.message_id).toBe(4242);
    expect((await s.groupHistory(10001, 100300, 7))?.map(m => m.message_id)).toEqual([4242]);
    expect((await s.get(10001, 5151))?.message_id).toBe(5151);
    // get_friend_msg_history by seq finds the position through the id derived from the seq.
    expect((await s.privateHistory(10001, 20001, 9, 10))?.map(m => m.message_id)).toEqual([5151]);
    expect(await s.sweep(now)).toBe(2);
    expect(await s.get(10001, 4242)).toBeUndefined();
    expect(await s.get(10001, 5151)).toBeUndefined();
    let indexed = 0;
    for (const key of await redis.keys(`${ns.historyPrefix}i:*`)) indexed += await redis.hlen(key);
    expect(indexed).toBe(0);
  });

  it('an upstream account’s group messages are its own: they neither overwrite the shared record nor open the group to it', async () => {
    const { ns, store: s } = store({ maxAgeS: 3600 });
    const said = (m: MessageEvent, text: string): MessageEvent => ({
      ...m,
      message: [{ type: 'text', data: { text } }] as MessageEvent['message'],
      raw_message: text,
    });
    const native = said(groupMsg(10001, 100100, 5), 'the real one');
    await s.putMany([native]);
    // Upstream accounts claim a message at the same group and seq, with the same id.
    await s.putMany([said(groupMsg(30001, 100100, 5), 'forged')], () => 'own');
    await s.putMany([said(groupMsg(30002, 100100, 5), 'another upstream')], () => 'own');
    const id = native.message_id;
    const text = async (self: number) => (await s.get(self, id))?.raw_message;
    expect(await text(10001)).toBe('the real one');
    expect(await text(30001)).toBe('forged');
    expect(await text(30002)).toBe('another upstream');
    const page = async (self: number) =>
      (await s.groupHistory(self, 100100, 0))?.map(m => m.raw_message);
    expect(await page(10001)).toEqual(['the real one']);
    expect(await page(30001)).toEqual(['forged']);
    // A group the upstream never had its own message in stays closed to it.
    await s.putMany([said(groupMsg(10001, 100200, 1), 'private group')]);
    expect(await page(30001)).toEqual(['forged']);
    expect(await s.groupHistory(30001, 100200, 0)).toEqual([]);
    // Retention drops the upstreams' buckets and their index entries too.
    expect(await s.sweep((T0 + 10 * 3600) * 1000)).toBe(4);
    let indexed = 0;
    for (const key of await redis.keys(`${ns.historyPrefix}i:*`)) indexed += await redis.hlen(key);
    expect(indexed).toBe(0);
  });

  it('an upstream repeating one id holds at most MAX_LOCATIONS_PER_ACCOUNT of its locations; others keep theirs', async () => {
    const { ns, store: s } = store();
    const id = 777;
    const repeated = Array.from({ length: 50 }, (_, i) => ({
      ...groupMsg(30001, 100300 + (i % 5), i + 1),
      message_id: id,
    }));
    await s.putMany(repeated, () => 'own');
    await s.putMany([{ ...privateMsg(30001, 20001, 30001, 1), message_id: id }], () => 'own');
    await s.putMany([{ ...groupMsg(30002, 100300, 99), message_id: id }], () => 'own');
    const entry = await redis.hget(`${ns.historyPrefix}i:${id % 1024}`, String(id));
    const locations = entry!.split(' ');
    expect(locations.filter(l => /^[up]:30001:/.test(l))).toHaveLength(MAX_LOCATIONS_PER_ACCOUNT);
    expect(locations.filter(l => l.startsWith('u:30002:'))).toHaveLength(1);
    // The other account's message is still found by the id; the repeats are still stored.
    expect((await s.get(30002, id))?.message_seq).toBe(99);
    expect((await s.groupHistory(30001, 100300, 0))?.map(m => m.message_seq)).toContain(46);
  });

  it('bytes that are not a record, and index entries that lead nowhere, read as not found', async () => {
    const { ns, store: s } = store();
    await s.put(groupMsg(10001, 100100, 9));
    await redis.hset(`${ns.historyPrefix}g:100100:0`, '9', Buffer.from('garbage'));
    expect(await s.get(10001, messageId(100100, 9))).toBeUndefined();
    expect(await s.groupHistory(10001, 100100, 0)).toEqual([]);
    // An id whose locations include one the account may not read and one that is gone.
    const id = messageId(100100, 10);
    await s.put(groupMsg(10001, 100100, 10));
    const index = `${ns.historyPrefix}i:${(id >>> 0) % 1024}`;
    await redis.hset(index, String(id), `g:100100:10 g:999:1 p:10002:1:1 nonsense`);
    expect((await s.get(10001, id))?.message_seq).toBe(10);
  });
});
