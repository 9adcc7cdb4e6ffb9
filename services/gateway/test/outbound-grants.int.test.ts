/**
 * A tenant's allow-list holds on the account's outbound endpoints too (ARCHITECTURE "Trust
 * model"): an HTTP POST receiver's reply runs only the quick-operation steps its endpoint may
 * call, and a reverse-WebSocket server calls only those actions. Without `actions` of its own an
 * endpoint gets what the tokens naming its account allow (`'*'` tokens do not count); with
 * them, exactly those. An account no restricted token names keeps every action.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BackendConnection,
  type DemoWorld,
  Receiver,
  ReverseBackend,
  startDemoWorld,
  waitFor,
} from '@cqfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const OP = 'op-token';
const GROUP = 100100;

let world: DemoWorld;
/** The tenant's receiver of 10001: no `actions` of its own. */
let tenant: Receiver;
/** Another receiver of 10001, whose endpoint names `actions: [set_group_ban]`. */
let banner: Receiver;
let backend: ReverseBackend;

beforeAll(async () => {
  tenant = await new Receiver().start();
  banner = await new Receiver().start();
  backend = await new ReverseBackend().start();
  const file = join(await mkdtemp(join(tmpdir(), 'gw-outbound-')), 'gateway.json');
  await writeFile(
    file,
    JSON.stringify({
      tokens: [
        // The tenant of 10001 may only send.
        { token: 'sender-token', accounts: [10001], actions: ['send_msg'] },
        // The operator's monitoring token, for every account: not a tenant's, so it widens
        // nothing (10002, named by no other token, keeps every action).
        { token: 'ops-token', accounts: '*' },
      ],
      http_post: [
        { url: `${tenant.url}/{self_id}`, accounts: [10001] },
        { url: `${banner.url}/{self_id}`, accounts: [10001], actions: ['set_group_ban'] },
      ],
      ws_reverse: [
        { universal: `${backend.url}/ws`, accounts: [10001, 10002], reconnect_interval_ms: 200 },
      ],
    }),
  );
  world = await startDemoWorld({
    accessToken: OP,
    env: { GATEWAY_CONFIG_FILE: file, GATEWAY_HEARTBEAT_INTERVAL_MS: '0' },
  });
});

afterAll(async () => {
  await world?.close();
  await tenant?.stop();
  await banner?.stop();
  await backend?.stop();
});

const members = async () =>
  (
    await world.alpha.ok<Array<{ user_id: number }>>('get_group_member_list', { group_id: GROUP })
  ).map(m => m.user_id);
const shut = async () =>
  (
    await world.alpha.ok<Array<{ user_id: number }>>('get_group_shut_list', { group_id: GROUP })
  ).map(m => m.user_id);
const said = async (text: string) =>
  (await world.sim.groupMessages(GROUP, 20)).some(m => m.message === text);

describe('HTTP POST replies and the allow-list', () => {
  it('a receiver of an account whose tenant may only send: its reply is sent; delete, kick and ban are not run', async () => {
    tenant.answer = r =>
      r.json.raw_message === 'moderate me'
        ? { body: { reply: 'words only', delete: true, kick: true, ban: true } }
        : undefined;
    const event = await world.sim.sendGroupMsg(20004, GROUP, 'moderate me');
    await waitFor(async () => ((await said('words only')) ? true : undefined), 10_000, 'reply');
    // The steps after the reply run at once when they run at all.
    await new Promise(r => setTimeout(r, 1_000));
    expect(await members()).toContain(20004);
    expect(await shut()).not.toContain(20004);
    const original = (await world.sim.groupMessages(GROUP, 20)).find(
      m => m.message_id === event.message_id,
    );
    expect(original?.recalled).toBe(false);
    tenant.answer = () => undefined;
  });

  it('an endpoint’s own actions replace what the tokens give it', async () => {
    banner.answer = r =>
      r.json.raw_message === 'ban me'
        ? { body: { reply: 'not this endpoint’s to send', ban: true, ban_duration: 60 } }
        : undefined;
    await world.sim.sendGroupMsg(20005, GROUP, 'ban me');
    await waitFor(async () => ((await shut()).includes(20005) ? true : undefined), 10_000, 'ban');
    // The reply is the step before the ban: had it run, it would be there by now.
    expect(await said('not this endpoint’s to send')).toBe(false);
    banner.answer = () => undefined;
  });
});

describe('reverse WebSocket calls and the allow-list', () => {
  const connection = (selfId: number) =>
    waitFor(
      () =>
        backend.connections.find(
          (c: BackendConnection) => !c.closed && c.headers['x-self-id'] === String(selfId),
        ),
      10_000,
      `reverse connection of ${selfId}`,
    );

  it('a server of an account whose tenant may only send gets ACCOUNT_FORBIDDEN for anything else', async () => {
    const c = await connection(10001);
    expect(
      await backend.call(c, 'set_group_kick', { group_id: GROUP, user_id: 20003 }),
    ).toMatchObject({ status: 'failed', retcode: 100, msg: 'ACCOUNT_FORBIDDEN' });
    expect(await backend.call(c, 'get_login_info')).toMatchObject({
      status: 'failed',
      msg: 'ACCOUNT_FORBIDDEN',
    });
    expect(await backend.call(c, 'clean_cache')).toMatchObject({ msg: 'OPERATOR_ONLY' });
    expect(await members()).toContain(20003);
    expect(
      await backend.call(c, 'send_msg', {
        message_type: 'group',
        group_id: GROUP,
        message: 'sent over reverse WS',
      }),
    ).toMatchObject({ status: 'ok' });
    await waitFor(
      async () => ((await said('sent over reverse WS')) ? true : undefined),
      5_000,
      'the message',
    );
  });

  it('an account no restricted token names keeps every action, as before', async () => {
    const c = await connection(10002);
    expect(await backend.call(c, 'get_login_info')).toMatchObject({
      status: 'ok',
      data: { user_id: 10002 },
    });
    expect(await backend.call(c, 'clean_cache')).toMatchObject({ msg: 'OPERATOR_ONLY' });
  });
});
