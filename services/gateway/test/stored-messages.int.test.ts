/**
 * `get_msg` from the message store itself (routing/stored-messages.ts), against real Redis and
 * NATS, with no history service running: what the gateway answers can only come from the
 * store. A message the store does not show the asking account — another account's private chat,
 * a group it has no messages in — is left to history (here: unreachable), never read across
 * accounts; without the layout history publishes, nothing is read from the store at all.
 */
import { Namespace } from '@cqfleet/contracts';
import { MessageStore, publishLayout } from '@cqfleet/history-store';
import { messageId } from '@cqfleet/onebot';
import {
  connectNats,
  connectRedis,
  createLogger,
  ensureEventStream,
  metricsRegistry,
  type NatsConnection,
  type Redis,
} from '@cqfleet/runtime';
import {
  groupMsg,
  OneBotHttp,
  privateMsg,
  registerAccounts,
  testInfra,
  uniqueNamespace,
  waitFor,
} from '@cqfleet/testkit';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '@cqfleet/gateway';
import { startLocalGateway } from './local-gateway.js';

const log = createLogger('test', 'silent');
const ID_SLOTS = 512;
let ns: Namespace;
let nc: NatsConnection;
let redis: Redis;
let gw: RunningGateway;
const api = (uin: number) => new OneBotHttp(`http://127.0.0.1:${gw.httpPort}/${uin}`);

const store = () => new MessageStore(redis, ns, { idSlots: ID_SLOTS, keepPerChat: 0, maxAgeS: 0 });

async function storedReads(result: string): Promise<number> {
  const metric = metricsRegistry.getSingleMetric('cqfleet_gateway_stored_reads_total');
  const values = metric ? (await metric.get()).values : [];
  return values.find(v => v.labels.result === result)?.value ?? 0;
}

beforeAll(async () => {
  ns = new Namespace(uniqueNamespace('stored'));
  nc = await connectNats(testInfra().natsUrl, 'test', log);
  redis = connectRedis(testInfra().redisUrl, 'test', log);
  await ensureEventStream(nc, ns, { storage: 'memory' });
  await registerAccounts(ns.name, [
    { uin: 10001, options: { url: 'http://127.0.0.1:9' } },
    { uin: 10002, options: { url: 'http://127.0.0.1:9' } },
  ]);
  gw = await startLocalGateway(ns, log, {
    // Nothing listens there: an answer that needs history fails.
    GATEWAY_HISTORY_ADDR: '127.0.0.1:9',
    GATEWAY_ACTION_TIMEOUT_MS: '1000',
  });
});

afterAll(async () => {
  await gw?.stop();
  const keys = await redis.keys(`${ns.historyPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis?.disconnect();
  await (await jetstreamManager(nc)).streams.delete(ns.eventStream).catch(() => undefined);
  await nc?.drain();
});

describe('get_msg from the store', () => {
  const inGroup = groupMsg(10001, 100100, 5);
  const inChat = privateMsg(10001, 20001, 10001, 3);

  it('without the layout history publishes, the gateway reads nothing and asks history', async () => {
    await store().putMany([inGroup, inChat]);
    const before = await storedReads('no_layout');
    const res = await api(10001).call('get_msg', { message_id: inGroup.message_id });
    expect(res.status).toBe('failed');
    expect(await storedReads('no_layout')).toBe(before + 1);
  });

  it("answers from the store once the layout is there, in the endpoint's format", async () => {
    await publishLayout(redis, ns, { idSlots: ID_SLOTS });
    // The gateway looks for a missing layout again within a second.
    const data = await waitFor(async () => {
      const res = await api(10001).call('get_msg', { message_id: inGroup.message_id });
      return res.status === 'ok' ? res.data : undefined;
    }, 5_000);
    expect(data).toEqual({
      message_id: inGroup.message_id,
      message_id_v2: expect.any(String),
      message_type: 'group',
      real_id: 5,
      message_seq: 5,
      group: true,
      group_id: 100100,
      sender: { user_id: 20001, nickname: 'Alice' },
      time: inGroup.time,
      message: 'g100100 #5',
    });
    const hits = await storedReads('hit');
    const chat = await api(10001).ok<{ message: unknown; sender: unknown }>('get_msg', {
      message_id: inChat.message_id,
    });
    expect(chat).toMatchObject({ message: '20001→10001 #3', sender: { user_id: 20001 } });
    expect(await storedReads('hit')).toBe(hits + 1);
  });

  it("never shows one account another's messages: those are left to history", async () => {
    const misses = await storedReads('miss');
    for (const id of [inChat.message_id, inGroup.message_id, messageId(100100, 999)]) {
      const res = await api(10002).call('get_msg', { message_id: id });
      expect(res).toMatchObject({ status: 'failed', data: null });
    }
    expect(await storedReads('miss')).toBe(misses + 3);
    // Once 10002 has a message in the group, it reads what it received there, as history
    // would — not what was said there before it came (history-store's seq runs).
    const joined = groupMsg(10002, 100100, inGroup.message_seq + 1);
    await store().putMany([joined]);
    const seen = await api(10002).ok<{ message_id: number }>('get_msg', {
      message_id: joined.message_id,
    });
    expect(seen.message_id).toBe(joined.message_id);
    const before = await api(10002).call('get_msg', { message_id: inGroup.message_id });
    expect(before).toMatchObject({ status: 'failed', data: null });
  });
});
