/**
 * The console's account status (issue 19): the worker keeps an entry per account it runs in
 * `<ns>:account-status`, with its state, its fence and counters that advance with the events it
 * publishes and the actions it executes; a state change shows at once, an account the worker
 * hands over loses its entry, and a newer owner's entry is never overwritten nor deleted.
 */
import { ACCOUNT_STATUS_STALE_MS, AccountStatus, Namespace } from '@cqfleet/contracts';
import { SimControl } from '@cqfleet/sim-client';
import {
  OneBotHttp,
  startTestCluster,
  type TestCluster,
  testInfra,
  untilOnline,
  waitFor,
} from '@cqfleet/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ADMIN_TOKEN = 'status-test-admin';
let cluster: TestCluster;
let redis: Redis;
let key: string;
let worker: string;

beforeAll(async () => {
  cluster = await startTestCluster({ env: { GATEWAY_ADMIN_TOKEN: ADMIN_TOKEN } });
  redis = new Redis(testInfra().redisUrl);
  key = new Namespace(cluster.options.namespace).accountStatusKey;
  worker = String(cluster.services.find(s => s.name === 'session-1')!.ready.worker);
  await untilOnline(cluster.httpUrl, 10001);
  await untilOnline(cluster.httpUrl, 10002);
});

afterAll(async () => {
  redis?.disconnect();
  await cluster?.stop();
});

async function statuses(): Promise<Map<number, AccountStatus>> {
  const raw = await redis.hgetall(key);
  return new Map(
    Object.entries(raw).map(([uin, json]) => [Number(uin), AccountStatus.parse(JSON.parse(json))]),
  );
}

/** Polls until `pick` finds the entries it wants. */
const until = <T>(
  pick: (s: Map<number, AccountStatus>) => T | undefined,
  ms: number,
  what: string,
) => waitFor(async () => pick(await statuses()), ms, what);

describe('session - account status', () => {
  it('lists both accounts online, under the worker and its fences', async () => {
    const s = await until(
      m => (m.get(10001)?.state === 'online' && m.get(10002)?.state === 'online' ? m : undefined),
      5_000,
      'both online',
    );
    const fence = async (uin: number) =>
      Number((await redis.get(new Namespace(cluster.options.namespace).fenceKey(uin)))!);
    for (const uin of [10001, 10002]) {
      const e = s.get(uin)!;
      expect(e).toMatchObject({ uin, worker, fence: await fence(uin), state: 'online' });
      expect(e.at).toBeGreaterThan(Date.now() - 3_000);
      expect(e.since).toBeLessThanOrEqual(e.at);
    }
    // The nickname comes from the login profile, once online.
    await until(m => (m.get(10001)?.nickname ? true : undefined), 3_000, 'nickname');
  });

  it('counts the events each account publishes and the actions it executes', async () => {
    const before = await statuses();
    const sim = new SimControl(cluster.simulatorUrl);
    await sim.sendGroupMsg(20001, 100100, 'x');
    await until(
      m =>
        [10001, 10002].every(uin => m.get(uin)!.events > before.get(uin)!.events)
          ? true
          : undefined,
      3_000,
      'events counted',
    );

    const http = new OneBotHttp(`${cluster.httpUrl}/10001`);
    const mid = await statuses();
    await http.ok('send_group_msg', { group_id: 100100, message: 'counted' });
    await until(
      m => (m.get(10001)!.actions > mid.get(10001)!.actions ? true : undefined),
      3_000,
      'action counted',
    );
  });

  it('keeps an idle entry fresh without rewriting it every second', async () => {
    // Nothing happens to 10002 here: its entry is refreshed a few times per stale period,
    // not every second (which held Redis for 3 ms a second with 1,000 accounts).
    const seen = new Set<number>();
    for (let i = 0; i < 14; i++) {
      const e = (await statuses()).get(10002)!;
      seen.add(e.at);
      expect(Date.now() - e.at).toBeLessThan(ACCOUNT_STATUS_STALE_MS);
      await new Promise(r => setTimeout(r, 500));
    }
    expect(seen.size).toBeGreaterThanOrEqual(2);
    expect(seen.size).toBeLessThanOrEqual(4);
  });

  it('shows a connection lost within 2 s, with the error', async () => {
    const sim = new SimControl(cluster.simulatorUrl);
    const t0 = Date.now();
    // QQ logs the account out: the line goes and logins are refused until it is lifted.
    await sim.faults(10002, { offline: true });
    try {
      const e = await until(
        m => {
          const a = m.get(10002);
          return a && a.state !== 'online' && (a.lastErrorAt ?? 0) >= t0 ? a : undefined;
        },
        2_000,
        'offline shown',
      );
      expect(e.lastError).toEqual(expect.any(String));
    } finally {
      await sim.faults(10002, { offline: false });
    }
    await until(m => (m.get(10002)?.state === 'online' ? true : undefined), 10_000, 'online again');
  });

  it('drops the entry of an account disabled through the admin API within 2 s', async () => {
    const res = await fetch(`${cluster.gateways[0]!.adminUrl}/accounts/10001/disable`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(res.status).toBe(200);
    await until(m => (m.has(10001) ? undefined : true), 2_000, 'entry removed');
    expect((await statuses()).get(10002)?.state).toBe('online');
  });

  it('never overwrites nor deletes a newer owner’s entry, and deletes its own on stop', async () => {
    const res = await fetch(`${cluster.gateways[0]!.adminUrl}/accounts/10001/enable`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(res.status).toBe(200);
    const mine = (await statuses()).get(10002)!;
    const newer: AccountStatus = { ...mine, worker: 'successor', fence: mine.fence + 1, at: 1 };
    await redis.hset(key, '10002', JSON.stringify(newer));
    // Two rewrites of everything later, the newer entry is still there.
    await new Promise(r => setTimeout(r, 2_500));
    expect((await statuses()).get(10002)).toEqual(newer);
    await until(m => (m.get(10001)?.state === 'online' ? true : undefined), 10_000, '10001 back');

    // A graceful stop deletes the worker's own entries, and only those.
    await cluster.services.find(s => s.name === 'session-1')!.stop();
    const left = await statuses();
    expect(left.has(10001)).toBe(false);
    expect(left.get(10002)).toEqual(newer);
  });
});
