/**
 * The console's data (issue 19), in process: rates from counter differences (reset with a new
 * owner, never negative, bounded), the states and members the snapshot reports, and the
 * console API's token, body and routing rules.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AccountRecord, AccountStatus, FleetSnapshot } from '@cqfleet/contracts';
import { createLogger, type Redis } from '@cqfleet/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleApi } from '../src/console/console-api.js';
import {
  FleetSampler,
  parseStatuses,
  RateTracker,
  SAMPLES_KEPT,
} from '../src/console/fleet-sampler.js';
import { fleetAccounts, infoFields, liveMembers } from '../src/console/fleet-snapshot.js';

const log = createLogger('test', 'silent');

const status = (over: Partial<AccountStatus> = {}): AccountStatus => ({
  uin: 10001,
  worker: 'w1',
  fence: 1,
  state: 'online',
  events: 0,
  actions: 0,
  since: 0,
  at: 0,
  ...over,
});

const sample = (tracker: RateTracker, ...entries: AccountStatus[]) =>
  tracker.observe(new Map(entries.map(s => [s.uin, s])));

describe('rates', () => {
  it('are counter differences over the entries’ time, oldest first', () => {
    const t = new RateTracker();
    sample(t, status({ events: 10, actions: 1, at: 1_000 }));
    expect(t.rates(10001)).toEqual({ eventsPerSecond: [], actionsPerSecond: [] });
    sample(t, status({ events: 30, actions: 2, at: 3_000 }));
    sample(t, status({ events: 30, actions: 8, at: 4_000 }));
    expect(t.rates(10001)).toEqual({ eventsPerSecond: [10, 0], actionsPerSecond: [0.5, 6] });
  });

  it('start again when the worker or the fence changes, and are never negative', () => {
    const t = new RateTracker();
    sample(t, status({ events: 100, at: 1_000 }));
    sample(t, status({ events: 120, at: 2_000 }));
    expect(t.rates(10001).eventsPerSecond).toEqual([20]);
    // A new owner: counters from 0, the series starts again (no -120/s).
    sample(t, status({ worker: 'w2', fence: 2, events: 0, at: 3_000 }));
    expect(t.rates(10001).eventsPerSecond).toEqual([]);
    sample(t, status({ worker: 'w2', fence: 2, events: 4, at: 5_000 }));
    expect(t.rates(10001).eventsPerSecond).toEqual([2]);
    sample(t, status({ worker: 'w2', fence: 3, events: 5, at: 6_000 }));
    expect(t.rates(10001).eventsPerSecond).toEqual([]);
    // Same owner, counter down (should not happen): a new start, not a negative rate.
    sample(t, status({ worker: 'w2', fence: 3, events: 1, at: 7_000 }));
    sample(t, status({ worker: 'w2', fence: 3, events: 3, at: 8_000 }));
    expect(t.rates(10001).eventsPerSecond).toEqual([2]);
  });

  it('an entry not rewritten since the last sample gives 0', () => {
    const t = new RateTracker();
    sample(t, status({ events: 1, at: 1_000 }));
    sample(t, status({ events: 9, at: 2_000 }));
    sample(t, status({ events: 9, at: 2_000 }));
    expect(t.rates(10001).eventsPerSecond).toEqual([8, 0]);
  });

  it('keep the last SAMPLES_KEPT values and forget accounts that leave the hash', () => {
    const t = new RateTracker();
    for (let i = 0; i <= SAMPLES_KEPT + 10; i++)
      sample(
        t,
        status({ events: i * i, at: i * 1_000 }),
        status({ uin: 10002, events: i, at: i * 1_000 }),
      );
    const series = t.rates(10001).eventsPerSecond;
    expect(series).toHaveLength(SAMPLES_KEPT);
    expect(series.at(-1)).toBe((SAMPLES_KEPT + 10) ** 2 - (SAMPLES_KEPT + 9) ** 2);
    expect(t.size).toBe(2);
    sample(t, status({ uin: 10002, events: 100, at: 100_000 }));
    expect(t.size).toBe(1);
    expect(t.rates(10001)).toEqual({ eventsPerSecond: [], actionsPerSecond: [] });
  });

  it('the hash is parsed leniently: malformed entries and entries under another uin are skipped', () => {
    const parsed = parseStatuses({
      '10001': JSON.stringify(status()),
      '10002': JSON.stringify(status({ uin: 10003 })),
      '10004': 'not json',
      '10005': JSON.stringify({ uin: 10005 }),
    });
    expect([...parsed.keys()]).toEqual([10001]);
  });
});

describe('the sampler', () => {
  it('survives a failing Redis, keeps sampling, and stops', async () => {
    let calls = 0;
    const redis = {
      hgetall: () => {
        calls++;
        if (calls === 1) return Promise.reject(new Error('redis away'));
        return Promise.resolve({
          '10001': JSON.stringify(status({ events: calls * 10, at: calls * 1_000 })),
        });
      },
    } as unknown as Redis;
    const sampler = new FleetSampler(redis, 'k', log, 10);
    sampler.start();
    await new Promise(resolve => setTimeout(resolve, 150));
    sampler.stop();
    const after = calls;
    expect(after).toBeGreaterThan(3);
    expect(sampler.rates(10001).eventsPerSecond.every(r => r === 10)).toBe(true);
    await new Promise(resolve => setTimeout(resolve, 50));
    expect(calls).toBe(after);
  });
});

describe('the snapshot', () => {
  const record = (over: Partial<AccountRecord>): AccountRecord => ({
    uin: 10001,
    driver: 'simulator',
    options: {},
    enabled: true,
    ...over,
  });
  const noRates = () => ({ eventsPerSecond: [], actionsPerSecond: [] });
  const now = 100_000;

  it('states: disabled, fresh entry, stale or missing entry', () => {
    const records = [
      record({ uin: 1 }),
      record({ uin: 2 }),
      record({ uin: 3 }),
      record({ uin: 4, enabled: false }),
      record({ uin: 5, driver: 'onebot', options: { mode: 'reverse', flavor: 'napcat' } }),
      record({ uin: 6, driver: 'onebot', options: { url: 'ws://x' } }),
    ];
    const statuses = new Map([
      [1, status({ uin: 1, state: 'online', nickname: 'one', at: now - 1_000 })],
      [
        2,
        status({ uin: 2, state: 'offline', lastError: 'gone', lastErrorAt: 5, at: now - 20_000 }),
      ],
      [4, status({ uin: 4, state: 'online', at: now })],
    ]);
    const accounts = fleetAccounts(records, statuses, noRates, now);
    expect(accounts[0]).toMatchObject({
      uin: 1,
      state: 'online',
      nickname: 'one',
      owner: { worker: 'w1', fence: 1 },
    });
    // Stale: its worker stopped writing. No owner, but the last error stays visible.
    expect(accounts[1]).toMatchObject({ uin: 2, state: 'unowned', lastError: 'gone' });
    expect(accounts[1]!.owner).toBeUndefined();
    expect(accounts[2]).toMatchObject({ uin: 3, state: 'unowned' });
    expect(accounts[3]).toMatchObject({ uin: 4, enabled: false, state: 'disabled' });
    expect(accounts[4]).toMatchObject({ driver: 'onebot', flavor: 'napcat', mode: 'reverse' });
    expect(accounts[5]).toMatchObject({ driver: 'onebot', flavor: 'auto', mode: 'forward' });
    expect(accounts[0]).not.toHaveProperty('flavor');
  });

  it('members: the live ones, with what they hold', () => {
    const raw = {
      live: JSON.stringify({ id: 'live', heartbeatAt: now - 1_000, deliveries: 3 }),
      dead: JSON.stringify({ id: 'dead', heartbeatAt: now - 7_000, deliveries: 9 }),
      broken: '{',
    };
    expect(liveMembers(raw, now, 6_000, (_, r) => Number(r.deliveries))).toEqual([
      { id: 'live', holds: 3, heartbeatAt: now - 1_000 },
    ]);
  });

  it('INFO fields', () => {
    const info = infoFields('# Memory\r\nused_memory:1024\r\nrole:master\r\n');
    expect(info.get('used_memory')).toBe('1024');
    expect(info.get('role')).toBe('master');
  });
});

describe('the console API', () => {
  let server: Server;
  let base: string;
  const calls: Array<[string, unknown, unknown]> = [];
  const snapshot = { at: 1, gateway: 'g' } as FleetSnapshot;

  beforeAll(async () => {
    const route = consoleApi({
      fleet: { snapshot: () => Promise.resolve(snapshot) },
      router: {
        call: (action, params, opts) => {
          calls.push([action, params, opts]);
          return Promise.resolve({ status: 'ok', retcode: 0, data: { action }, message: '' });
        },
      },
      token: 't',
      log,
    });
    server = createServer((req, res) => {
      void route(req, res, (req.url ?? '/').split('?')[0]!).then(answered => {
        if (!answered) res.writeHead(418).end();
      });
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise(resolve => server.close(resolve)));

  const auth = { authorization: 'Bearer t' };

  it('needs the admin token: 401 without, 403 wrong', async () => {
    expect((await fetch(`${base}/console/api/fleet`)).status).toBe(401);
    const wrong = await fetch(`${base}/console/api/fleet`, { headers: { authorization: 'x' } });
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
  });

  it('is refused (403) when no token is configured', async () => {
    const route = consoleApi({
      fleet: { snapshot: () => Promise.resolve(snapshot) },
      router: { call: () => Promise.reject(new Error('never')) },
      token: '',
      log,
    });
    const s = createServer((req, res) => void route(req, res, req.url ?? '/'));
    await new Promise<void>(resolve => s.listen(0, '127.0.0.1', resolve));
    const res = await fetch(
      `http://127.0.0.1:${(s.address() as AddressInfo).port}/console/api/fleet`,
      {
        headers: auth,
      },
    );
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: 'ADMIN_DISABLED' } });
    await new Promise(resolve => s.close(resolve));
  });

  it('answers the snapshot, and 405 / 404 for other methods and paths', async () => {
    expect(await (await fetch(`${base}/console/api/fleet`, { headers: auth })).json()).toEqual(
      snapshot,
    );
    expect(
      (await fetch(`${base}/console/api/fleet`, { method: 'POST', headers: auth })).status,
    ).toBe(405);
    expect((await fetch(`${base}/console/api/nothing`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${base}/elsewhere`, { headers: auth })).status).toBe(418);
  });

  it('calls an action as the account, with array messages, answering its envelope', async () => {
    const res = await fetch(`${base}/console/api/accounts/10001/call`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ action: 'send_group_msg', params: { group_id: 1, message: 'hi' } }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', data: { action: 'send_group_msg' } });
    expect(calls.at(-1)).toEqual([
      'send_group_msg',
      { group_id: 1, message: 'hi' },
      { selfId: 10001, format: 'array' },
    ]);
    await fetch(`${base}/console/api/accounts/10002/call`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ action: 'get_login_info' }),
    });
    expect(calls.at(-1)).toEqual(['get_login_info', {}, { selfId: 10002, format: 'array' }]);
  });

  it('refuses bad calls: method, body, size', async () => {
    const post = (body: string, path = '/console/api/accounts/10001/call') =>
      fetch(`${base}${path}`, { method: 'POST', headers: auth, body });
    const n = calls.length;
    expect((await fetch(`${base}/console/api/accounts/10001/call`, { headers: auth })).status).toBe(
      405,
    );
    expect((await post('{')).status).toBe(400);
    expect(await (await post('{"params":{}}')).json()).toMatchObject({
      error: { code: 'INVALID_CALL' },
    });
    expect((await post('{"action":"x","params":[1]}')).status).toBe(400);
    expect((await post('{}', '/console/api/accounts/0/call')).status).toBe(400);
    const big = await post(' '.repeat(1024 * 1024 + 1));
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: { code: 'TOO_LARGE' } });
    expect(calls.length).toBe(n);
  });
});
