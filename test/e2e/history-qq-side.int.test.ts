/**
 * History answers from Redis and goes to the QQ side only for what it lacks (issue 5, points 1
 * and 2): a group page whose messages history never stored is fetched through the owning
 * session worker and stored; a forward message's nodes are fetched once and then served from
 * Redis.
 */
import { Namespace } from '@cqfleet/contracts';
import { connectRedis, createLogger, type Redis } from '@cqfleet/runtime';
import { SimControl } from '@cqfleet/sim-client';
import {
  expectFailure,
  expectOk,
  OneBotHttp,
  startTestCluster,
  type TestCluster,
  testInfra,
  waitFor,
} from '@cqfleet/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';

let cluster: TestCluster;
let sim: SimControl;
let redis: Redis;
let ns: Namespace;
let beta: OneBotHttp;

beforeAll(async () => {
  cluster = await startTestCluster();
  sim = new SimControl(cluster.simulatorUrl);
  redis = connectRedis(testInfra().redisUrl, 'test', createLogger('test', 'silent'));
  ns = new Namespace(cluster.options.namespace);
  beta = new OneBotHttp(`${cluster.httpUrl}/10002`);
  await waitFor(
    async () => ((await beta.call('get_login_info')).status === 'ok' ? true : undefined),
    15_000,
    'online',
  );
});

afterAll(async () => {
  redis?.disconnect();
  await cluster?.stop();
});

type Page = { messages: Array<{ message_seq: number; raw_message: string; self_id: number }> };

it('a group page history does not hold is fetched from the QQ side, then kept', async () => {
  // Group 100200 has account 10002 only. Its messages reach history as events …
  const said = [];
  for (let i = 1; i <= 5; i++) said.push(await sim.sendGroupMsg(20001, 100200, `ops ${i}`));
  const last = said.at(-1)!;
  // History keeps a group's messages in hashes of 64 seqs (packages/history-store/src/store.ts).
  const buckets = [
    ...new Set(said.map(m => `${ns.historyPrefix}g:100200:${Math.floor(m.seq / 64)}`)),
  ];
  const storedCount = async () => {
    let n = 0;
    for (const b of buckets) n += await redis.hlen(b);
    return n;
  };
  await waitFor(
    async () => ((await storedCount()) >= said.length ? true : undefined),
    10_000,
    'stored',
  );
  // … and then history loses them (as retention would).
  await redis.del(...buckets);
  const page = await expectOk<Page>(beta, 'get_group_msg_history', {
    group_id: 100200,
    message_seq: last.seq,
  });
  expect(page.messages.slice(-5).map(m => m.raw_message)).toEqual(
    said.map((_, i) => `ops ${i + 1}`),
  );
  expect(page.messages.every(m => m.self_id === 10002)).toBe(true);
  // What was fetched is stored again.
  expect(await storedCount()).toBeGreaterThanOrEqual(said.length);
  // A group the account is not in: the QQ side says so.
  await expectFailure(
    new OneBotHttp(`${cluster.httpUrl}/10001`),
    'get_group_msg_history',
    { group_id: 100200 },
    'GROUP_NOT_FOUND',
  );
});

it('a forward message is read from the QQ side once, then from Redis', async () => {
  const sent = await expectOk<{ forward_id: string }>(beta, 'send_group_forward_msg', {
    group_id: 100200,
    messages: [{ type: 'node', data: { name: 'N', uin: 1, content: 'kept' } }],
  });
  const key = `${ns.historyPrefix}f:${sent.forward_id}`;
  expect(await redis.exists(key)).toBe(0);
  const first = await expectOk<{ messages: Array<{ content: string }> }>(beta, 'get_forward_msg', {
    id: sent.forward_id,
  });
  expect(first.messages.map(m => m.content)).toEqual(['kept']);
  expect(await redis.exists(key)).toBe(1);
  // With the account offline the QQ side cannot answer; the stored nodes still do.
  await sim.faults(10002, { offline: true });
  try {
    await waitFor(
      async () => ((await beta.call('get_login_info')).status === 'failed' ? true : undefined),
      10_000,
      'offline',
    );
    const again = await expectOk<{ messages: Array<{ content: string }> }>(
      new OneBotHttp(`${cluster.httpUrl}/10001`),
      'get_forward_msg',
      { id: sent.forward_id },
    );
    expect(again).toEqual(first);
  } finally {
    await sim.faults(10002, { offline: false });
  }
});
