/**
 * Accounts at run time (issue 7, point 4): the gateway's authenticated admin API lists accounts
 * with owner, status and counters, and adds, disables, enables and removes accounts while
 * everything keeps running.
 */
import {
  OneBotHttp,
  startTestCluster,
  type TestCluster,
  waitFor,
  writeWorld,
} from '@cqfleet/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';

const TOKEN = 'admin-secret';
let cluster: TestCluster;
let admin: string;

interface AccountView {
  uin: number;
  enabled: boolean;
  owner: { worker: string; fence: number } | null;
  online: boolean | null;
  stat: { message_sent?: number } | null;
}

async function call(method: string, path: string, body?: unknown, token = TOKEN) {
  const res = await fetch(`${admin}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const notFound = (reply: object) => 'msg' in reply && reply.msg === 'ACCOUNT_NOT_FOUND';

const accounts = async () =>
  (await call('GET', '/accounts')).body.accounts as unknown as AccountView[];

beforeAll(async () => {
  const world = await writeWorld({
    accounts: [40001, 40002, 40003].map(uin => ({ user_id: uin, nickname: `bot ${uin}` })),
    people: [{ user_id: 20001, nickname: 'someone' }],
    groups: [
      {
        group_id: 800800,
        group_name: 'g',
        members: [{ user_id: 20001, role: 'owner' }, { user_id: 40001 }, { user_id: 40003 }],
      },
    ],
  });
  cluster = await startTestCluster({
    world,
    accounts: [40001, 40002],
    env: { GATEWAY_ADMIN_TOKEN: TOKEN },
  });
  admin = cluster.gateways[0]!.adminUrl;
}, 60_000);

afterAll(() => cluster?.stop());

it('needs the admin token', async () => {
  expect((await call('GET', '/accounts', undefined, '')).status).toBe(401);
  expect((await call('GET', '/accounts', undefined, 'wrong')).status).toBe(403);
  expect((await call('GET', '/nothing')).status).toBe(404);
});

it('lists accounts with owner, status and counters', async () => {
  const http = new OneBotHttp(`${cluster.httpUrl}/40001`);
  await waitFor(
    async () => ((await accounts()).every(a => a.online) ? true : undefined),
    15_000,
    'both online',
  );
  await http.ok('send_group_msg', { group_id: 800800, message: 'counted' });
  const list = await accounts();
  expect(list.map(a => a.uin)).toEqual([40001, 40002]);
  expect(list[0]).toMatchObject({
    uin: 40001,
    driver: 'simulator',
    enabled: true,
    owner: { worker: expect.stringMatching(/^session-1/), fence: expect.any(Number) },
    online: true,
  });
  expect(list[0]!.stat?.message_sent).toBeGreaterThanOrEqual(1);
});

it('adds, disables, enables and removes an account at run time', async () => {
  const simulator = (await call('GET', '/accounts/40001')).body.options;
  const added = await call('PUT', '/accounts/40003', { driver: 'simulator', options: simulator });
  expect(added.status).toBe(201);
  const http = new OneBotHttp(`${cluster.httpUrl}/40003`);
  // Owned, logged in and serving actions within seconds; nothing was restarted.
  await waitFor(
    async () => ((await http.call('get_login_info')).status === 'ok' ? true : undefined),
    5_000,
    'the added account serves actions',
  );
  expect((await call('GET', '/accounts/40003')).body).toMatchObject({ online: true });

  expect((await call('POST', '/accounts/40003/disable')).body).toMatchObject({ enabled: false });
  await waitFor(
    async () => (notFound(await http.call('get_login_info')) ? true : undefined),
    5_000,
    'a disabled account is not served',
  );
  expect((await call('GET', '/accounts/40003')).body).toMatchObject({
    enabled: false,
    owner: null,
  });

  expect((await call('POST', '/accounts/40003/enable')).status).toBe(200);
  await waitFor(
    async () => ((await http.call('get_login_info')).status === 'ok' ? true : undefined),
    5_000,
    'enabled again',
  );

  expect((await call('DELETE', '/accounts/40003')).status).toBe(200);
  await waitFor(
    async () => (notFound(await http.call('get_login_info')) ? true : undefined),
    5_000,
    'a removed account is not served',
  );
  expect((await call('GET', '/accounts/40003')).status).toBe(404);
  expect((await accounts()).map(a => a.uin)).toEqual([40001, 40002]);
  for (const p of cluster.services) expect(p.child.exitCode, p.name).toBeNull();
});

it('refuses bad input clearly', async () => {
  expect((await call('PUT', '/accounts/40004', { driver: 'nope' })).body).toMatchObject({
    error: { code: 'INVALID_ACCOUNT' },
  });
  // An upstream account's options are checked too: a reverse upstream must have a token.
  const tokenless = await call('PUT', '/accounts/40004', {
    driver: 'onebot',
    options: { mode: 'reverse' },
  });
  expect(tokenless.status).toBe(400);
  expect(tokenless.body).toMatchObject({
    error: { code: 'INVALID_ACCOUNT', message: expect.stringContaining('options.token') },
  });
  expect((await call('PUT', '/accounts/40004', { driver: 'onebot' })).body).toMatchObject({
    error: { message: expect.stringContaining('options.url') },
  });
  expect((await call('POST', '/accounts/49999/disable')).status).toBe(404);
  const bad = await fetch(`${admin}/accounts/40004`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${TOKEN}` },
    body: '{not json',
  });
  expect(bad.status).toBe(400);
});
