/**
 * Hostile tenants against the real cluster with two gateway replicas (issue 15, items 2–5, 7):
 * a token's allow-list holds through quick operations, the operator's actions are the
 * operator's, `reload_event_filter` reads only configured filters and reaches every replica,
 * `_rate_limited` queues are per account and bounded, and refusals carry the envelope.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimControl } from '@cqfleet/sim-client';
import {
  expectFailure,
  OneBotHttp,
  OneBotWs,
  startTestCluster,
  type TestCluster,
  waitFor,
} from '@cqfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyOf, rawConnect } from './raw-socket.js';

let cluster: TestCluster;
let sim: SimControl;
let filterFile: string;
const OP = 'op-token';
const ALPHA = 'alpha-token';
const SENDER = 'sender-token';
const GROUP = 100100;

const http = (token: string, base = '/10001', gateway = 0) =>
  new OneBotHttp(`${cluster.gateways[gateway]!.httpUrl}${base}`, token);

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gw-hostile-'));
  filterFile = join(dir, 'filter.json');
  // Drop what Bob (20002) says.
  await writeFile(filterFile, JSON.stringify({ '.not': { user_id: 20002 } }));
  const configFile = join(dir, 'gateway.json');
  await writeFile(
    configFile,
    JSON.stringify({
      access_token: OP,
      tokens: [
        { token: ALPHA, accounts: [10001, 10002], name: 'tenant alpha' },
        { token: SENDER, accounts: [10001], actions: ['send_msg', '.handle_quick_operation'] },
      ],
    }),
  );
  cluster = await startTestCluster({
    gateways: 2,
    env: {
      GATEWAY_CONFIG_FILE: configFile,
      GATEWAY_EVENT_FILTER: filterFile,
      GATEWAY_RATE_LIMIT_INTERVAL_MS: '100',
      GATEWAY_HEARTBEAT_INTERVAL_MS: '0',
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

describe('quick operations and the allow-list', () => {
  const context = {
    post_type: 'message',
    message_type: 'group',
    group_id: GROUP,
    user_id: 20004,
    message_id: 1,
    sender: { user_id: 20004 },
  };

  it('a token allowed send_msg cannot kick or ban through .handle_quick_operation', async () => {
    await expectFailure(
      http(SENDER),
      '.handle_quick_operation',
      { context, operation: { reply: 'no kicking', kick: true, ban: true } },
      'ACCOUNT_FORBIDDEN',
    );
    const members = await http(OP).ok<Array<{ user_id: number }>>('get_group_member_list', {
      group_id: GROUP,
    });
    expect(members.map(m => m.user_id)).toContain(20004);
    const shut = await http(OP).ok<Array<{ user_id: number }>>('get_group_shut_list', {
      group_id: GROUP,
    });
    expect(shut.map(m => m.user_id)).not.toContain(20004);
    expect((await sim.groupMessages(GROUP, 1))[0]?.message).not.toBe('no kicking');
  });

  it('…but may reply through it, as send_msg', async () => {
    await http(SENDER).ok('.handle_quick_operation', { context, operation: { reply: 'quick hi' } });
    await waitFor(
      async () =>
        (await sim.groupMessages(GROUP, 1))[0]?.message === 'quick hi' ? true : undefined,
      5_000,
      'the reply',
    );
  });
});

describe('the operator’s actions', () => {
  it('clean_cache is OPERATOR_ONLY for an account token, and the operator’s to call', async () => {
    await expectFailure(http(ALPHA), 'clean_cache', {}, 'OPERATOR_ONLY');
    expect(await http(OP).ok('clean_cache')).toBeNull();
  });

  it('reload_event_filter is OPERATOR_ONLY; the operator may reload only a configured filter', async () => {
    await expectFailure(http(ALPHA), 'reload_event_filter', { file: '/dev/zero' }, 'OPERATOR_ONLY');
    await expectFailure(http(ALPHA), 'reload_event_filter', { file: filterFile }, 'OPERATOR_ONLY');
    await expectFailure(http(OP), 'reload_event_filter', { file: '/dev/zero' }, 'INVALID_PARAMS');
    await expectFailure(
      http(OP),
      'reload_event_filter',
      { file: '/etc/hostname' },
      'INVALID_PARAMS',
    );
    expect(await http(OP).ok('reload_event_filter', { file: filterFile })).toBeNull();
  });

  it('a reload answered by one replica takes effect on every replica', async () => {
    // Events through the second replica; the reload through the first.
    const ws = await OneBotWs.connect(`${cluster.gateways[1]!.wsUrl}/10001/event`, {
      authorization: `Bearer ${OP}`,
    });
    try {
      const bob = await sim.sendGroupMsg(20002, GROUP, 'bob, filtered');
      const alice = await sim.sendGroupMsg(20001, GROUP, 'alice, delivered');
      await ws.waitForEvent(e => e.message_id === alice.message_id, 10_000);
      expect(ws.events.some(e => e.message_id === bob.message_id)).toBe(false);

      await writeFile(filterFile, JSON.stringify({ post_type: 'message' }));
      expect(
        await http(OP, '/10001', 0).ok('reload_event_filter', { file: filterFile }),
      ).toBeNull();
      await waitFor(
        async () => {
          const again = await sim.sendGroupMsg(20002, GROUP, 'bob, now delivered');
          const seen = await ws
            .waitForEvent(e => e.message_id === again.message_id, 1_000)
            .then(
              () => true,
              () => undefined,
            );
          return seen;
        },
        10_000,
        'the second replica delivers what the reloaded filter lets through',
      );
    } finally {
      await ws.close();
    }
  });
});

describe('_rate_limited queues', () => {
  it('one account’s full queue neither delays another account nor grows: RATE_LIMIT_QUEUE_FULL', async () => {
    // 10001: 130 calls at once, 100 ms apart; one runs, 100 may wait (GATEWAY_RATE_LIMIT_QUEUE's
    // default), the rest are refused at once.
    const alpha = http(ALPHA, '/10001');
    const answers = await Promise.all(
      Array.from({ length: 130 }, () => alpha.call('get_status_rate_limited')),
    );
    // 10002's call, made while 10001's queue holds ten seconds of work, runs at once.
    const text = `beta, not behind alpha ${Date.now()}`;
    expect(
      await http(ALPHA, '/10002').call('send_group_msg_rate_limited', {
        group_id: GROUP,
        message: text,
      }),
    ).toMatchObject({ status: 'async' });
    await waitFor(
      async () =>
        (await sim.groupMessages(GROUP, 5)).some(m => m.message === text) ? true : undefined,
      3_000,
      'beta’s rate-limited message',
    );
    const refusedCalls = answers.filter(a => a.status === 'failed');
    expect(refusedCalls.length).toBeGreaterThanOrEqual(20);
    expect(refusedCalls.every(a => a.msg === 'RATE_LIMIT_QUEUE_FULL' && a.retcode === 100)).toBe(
      true,
    );
    expect(answers.filter(a => a.status === 'async').length).toBeLessThanOrEqual(110);
  });
});

describe('refusals carry the envelope on every port', () => {
  it('HTTP API: 401 TOKEN_MISSING and 403 TOKEN_INVALID', async () => {
    const url = `${cluster.httpUrl}/10001/get_login_info`;
    const missing = await fetch(url);
    expect([missing.status, await missing.json()]).toEqual([
      401,
      expect.objectContaining({ status: 'failed', retcode: 1401, msg: 'TOKEN_MISSING' }),
    ]);
    const wrong = await fetch(url, { headers: { authorization: 'Bearer nope' } });
    expect([wrong.status, await wrong.json()]).toEqual([
      403,
      expect.objectContaining({ status: 'failed', retcode: 1403, msg: 'TOKEN_INVALID' }),
    ]);
  });

  it('the forward-WS port: upgrade refusals, the upstream relay’s included', async () => {
    const port = Number(new URL(cluster.wsUrl).port);
    const upgrade = async (path: string, headers: string) => {
      const conn = await rawConnect(port);
      conn.socket.write(
        `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${headers}\r\n`,
      );
      const response = await conn.closed(5_000);
      return { status: Number(response.split(' ')[1]), body: bodyOf(response) };
    };
    expect(await upgrade('/10001/', '')).toEqual({
      status: 401,
      body: expect.objectContaining({ retcode: 1401, msg: 'TOKEN_MISSING' }),
    });
    expect(await upgrade('/10001/', 'Authorization: Bearer nope\r\n')).toEqual({
      status: 403,
      body: expect.objectContaining({ retcode: 1403, msg: 'TOKEN_INVALID' }),
    });
    expect(await upgrade('/upstream', 'X-Self-ID: 10001\r\n')).toEqual({
      status: 400,
      body: expect.objectContaining({ status: 'failed', msg: 'ACCOUNT_NOT_FOUND' }),
    });
  });
});
