/**
 * Tokens that keep tenants apart (issue 4, point 9) on HTTP (actions and long polling) and
 * forward WS (actions and events), per-endpoint
 * settings (point 7), heartbeats (point 6), an offline account (point 8), and go-cqhttp's
 * synchronous `_async` behind a switch (point 2).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@cqfleet/runtime';
import { SimControl } from '@cqfleet/sim-client';
import {
  expectFailure,
  OneBotHttp,
  OneBotWs,
  startTestCluster,
  type TestCluster,
  testInfra,
  waitFor,
} from '@cqfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, startGateway } from '@cqfleet/gateway';

let cluster: TestCluster;
let sim: SimControl;
let configFile: string;
const OP = 'op-token';
/** The forward WebSocket server's own operator token (per-endpoint access token). */
const WS_OP = 'ws-op-token';
const ALPHA = 'alpha-only';
const READER = 'read-only';

const http = (token: string, base = '') => new OneBotHttp(`${cluster.httpUrl}${base}`, token);
const ws = (path: string, token: string, headers: Record<string, string> = {}) =>
  OneBotWs.connect(`${cluster.wsUrl}${path}`, { authorization: `Bearer ${token}`, ...headers });

beforeAll(async () => {
  configFile = join(await mkdtemp(join(tmpdir(), 'gw-')), 'gateway.json');
  await writeFile(
    configFile,
    JSON.stringify({
      access_token: OP,
      tokens: [
        { token: ALPHA, accounts: [10001], name: 'tenant alpha' },
        { token: READER, accounts: '*', actions: ['get_login_info', 'get_msg'] },
      ],
      http: { message_format: 'array' },
      ws: {
        message_format: 'string',
        rate_limit: { enabled: true, frequency: 5, bucket: 1 },
        access_token: WS_OP,
      },
    }),
  );
  cluster = await startTestCluster({
    env: {
      GATEWAY_CONFIG_FILE: configFile,
      GATEWAY_HEARTBEAT_INTERVAL_MS: '300',
      GATEWAY_LONG_POLLING: 'true',
    },
  });
  sim = new SimControl(cluster.simulatorUrl);
  await waitFor(
    async () =>
      (await http(OP, '/10002').call('get_login_info')).status === 'ok' ? true : undefined,
    15_000,
    'online',
  );
});

afterAll(() => cluster?.stop());

describe('tokens keep tenants apart', () => {
  it('HTTP: an account token cannot act as another account, however it names it', async () => {
    const alpha = http(ALPHA);
    await expectFailure(http(ALPHA, '/10002'), 'get_login_info', {}, 'ACCOUNT_FORBIDDEN');
    expect((await alpha.call('get_login_info', {}, { 'X-Self-ID': '10002' })).status).toBe(
      'failed',
    );
    await expectFailure(alpha, 'get_login_info', { self_id: 10002 }, 'ACCOUNT_FORBIDDEN');
    const viaRoot = await fetch(`${cluster.httpUrl}/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ALPHA}`, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'get_login_info', params: { self_id: 10002 } }),
    });
    expect(await viaRoot.json()).toMatchObject({ msg: 'ACCOUNT_FORBIDDEN' });
    // Its only account needs no naming.
    expect(await alpha.ok('get_login_info')).toEqual({ user_id: 10001, nickname: 'Fleet Alpha' });
  });

  it('HTTP: an action allow-list holds', async () => {
    expect(await http(READER, '/10002').ok('get_login_info')).toMatchObject({ user_id: 10002 });
    await expectFailure(
      http(READER, '/10002'),
      'send_private_msg',
      { user_id: 10001, message: 'no' },
      'ACCOUNT_FORBIDDEN',
    );
  });

  it('WS: the upgrade is refused for another account; frames cannot switch accounts', async () => {
    await expect(ws('/10002/', ALPHA)).rejects.toThrow(/403/);
    await expect(ws('/', ALPHA, { 'X-Self-ID': '10002' })).rejects.toThrow(/403/);
    await expect(OneBotWs.connect(`${cluster.wsUrl}/`)).rejects.toThrow(/401/);
    const conn = await ws('/', ALPHA);
    const me = await conn.call('get_login_info', { self_id: 10002 });
    expect(me).toMatchObject({ status: 'ok', data: { user_id: 10001 } });
    await conn.close();
  });

  it('WS: an account token receives its account’s events and never another’s', async () => {
    const conn = await ws('/', ALPHA);
    const other = await sim.sendPrivateMsg(20001, 10002, 'for beta only');
    const mine = await sim.sendPrivateMsg(20001, 10001, 'for alpha');
    await conn.waitForEvent(e => e.message_id === mine.message_id, 10_000);
    await new Promise(r => setTimeout(r, 300));
    expect(conn.events.some(e => e.message_id === other.message_id)).toBe(false);
    expect(conn.events.every(e => e.self_id === 10001)).toBe(true);
    await conn.close();
  });

  it('HTTP long polling: get_updates gives an account token its account’s events only', async () => {
    const alpha = http(ALPHA);
    await expectFailure(alpha, 'get_updates', { self_id: 10002, timeout: 1 }, 'ACCOUNT_FORBIDDEN');
    await expectFailure(http(ALPHA, '/10002'), 'get_updates', { timeout: 1 }, 'ACCOUNT_FORBIDDEN');
    await alpha.ok('get_updates', { timeout: 1 }); // the queue starts with the first poll
    const other = await sim.sendPrivateMsg(20001, 10002, 'beta, polled');
    const mine = await sim.sendPrivateMsg(20001, 10001, 'alpha, polled');
    const polled: Array<Record<string, unknown>> = [];
    await waitFor(
      async () => {
        polled.push(
          ...(await alpha.ok<Array<Record<string, unknown>>>('get_updates', { timeout: 1 })),
        );
        return polled.some(e => e.message_id === mine.message_id) ? true : undefined;
      },
      10_000,
      'alpha’s event polled',
    );
    expect(polled.some(e => e.message_id === other.message_id)).toBe(false);
    expect(polled.every(e => e.self_id === 10001)).toBe(true);
  });
});

describe('per-endpoint settings, heartbeats, offline accounts', () => {
  it('each server has its own operator token; account tokens work on both', async () => {
    await expect(ws('/10001/', OP)).rejects.toThrow(/403/);
    await expect(http(WS_OP, '/10001').call('get_login_info')).rejects.toThrow(/HTTP 403/);
    const viaWs = await ws('/10001/api', ALPHA);
    expect(await viaWs.call('get_login_info')).toMatchObject({ status: 'ok' });
    await viaWs.close();
  });

  it('HTTP results in array format while WS events are strings (with message_format)', async () => {
    const conn = await ws('/10001/', WS_OP);
    const said = await sim.sendGroupMsg(20001, 100100, 'format [CQ:face,id=1]');
    const ev = await conn.waitForEvent(e => e.message_id === said.message_id, 10_000);
    expect(ev).toMatchObject({ message: 'format [CQ:face,id=1]', message_format: 'string' });
    const got = await http(OP, '/10001').ok<{ message: unknown }>('get_msg', {
      message_id: said.message_id,
    });
    expect(got.message).toEqual([
      { type: 'text', data: { text: 'format ' } },
      { type: 'face', data: { id: '1' } },
    ]);
    await conn.close();
  });

  it('a WS connection’s requests are rate limited by its token bucket', async () => {
    const conn = await ws('/10001/api', WS_OP);
    const started = Date.now();
    await Promise.all(Array.from({ length: 5 }, () => conn.call('get_login_info')));
    // bucket 1, 5 per second: the 4 calls after the first wait about 200 ms each.
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    await conn.close();
  });

  it('a WS connection’s requests run concurrently: a slow one does not hold up the next', async () => {
    const conn = await ws('/10001/api', WS_OP);
    await sim.faults(10001, { delay_ms: 1000 }); // every reply from the QQ side is late
    try {
      const order: string[] = [];
      const slow = conn.call('get_group_list').then(() => order.push('slow'));
      const fast = conn.call('get_supported_actions').then(() => order.push('fast'));
      await Promise.all([slow, fast]);
      expect(order).toEqual(['fast', 'slow']);
    } finally {
      await sim.faults(10001, { delay_ms: 0 });
      await conn.close();
    }
  });

  it('event connections get heartbeats with the get_status shape', async () => {
    const conn = await ws('/10001/event', WS_OP);
    const beat = await conn.waitForEvent(e => e.meta_event_type === 'heartbeat', 5_000);
    expect(beat).toMatchObject({
      post_type: 'meta_event',
      self_id: 10001,
      interval: 300,
      status: { online: true, good: true },
    });
    expect('sub_type' in beat).toBe(false);
    await conn.close();
  });

  it('an offline account answers ACCOUNT_OFFLINE; its clients keep their sockets and it comes back', async () => {
    const conn = await ws('/10002/', WS_OP);
    await sim.faults(10002, { offline: true });
    await waitFor(
      async () => ((await conn.call('get_login_info')).status === 'failed' ? true : undefined),
      10_000,
      'offline',
    );
    expect(await conn.call('get_group_list')).toMatchObject({
      status: 'failed',
      retcode: 100,
      msg: 'ACCOUNT_OFFLINE',
    });
    const beat = await conn.waitForEvent(
      e => e.meta_event_type === 'heartbeat' && (e.status as { online: boolean }).online === false,
      5_000,
    );
    expect(beat).toBeDefined();
    await sim.faults(10002, { offline: false });
    await waitFor(
      async () => ((await conn.call('get_login_info')).status === 'ok' ? true : undefined),
      15_000,
      'back online',
    );
    expect(conn.ws.readyState).toBe(conn.ws.OPEN);
    await conn.close();
  });
});

describe('_async', () => {
  it('GATEWAY_ASYNC_MODE=sync runs _async actions synchronously, as go-cqhttp does', async () => {
    const config = loadConfig({
      CQFLEET_NAMESPACE: cluster.options.namespace,
      CQFLEET_NATS_URL: testInfra().natsUrl,
      CQFLEET_REDIS_URL: testInfra().redisUrl,
      GATEWAY_HTTP_PORT: '0',
      GATEWAY_WS_PORT: '0',
      GATEWAY_HISTORY_ADDR: cluster.historyAddr,
      GATEWAY_ASYNC_MODE: 'sync',
      GATEWAY_CONFIG_FILE: configFile,
    });
    const gw = await startGateway(config, createLogger('test', 'silent'));
    try {
      const syncHttp = new OneBotHttp(`http://127.0.0.1:${gw.httpPort}/10001`, OP);
      expect(await syncHttp.call('get_login_info_async')).toMatchObject({
        status: 'ok',
        retcode: 0,
        data: { user_id: 10001 },
      });
      expect(await http(OP, '/10001').call('get_login_info_async')).toMatchObject({
        status: 'async',
        retcode: 1,
        data: null,
      });
    } finally {
      await gw.stop();
    }
  });
});
