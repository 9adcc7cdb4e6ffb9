/**
 * An account behind an upstream OneBot implementation (issue 9): the upstream here is a second
 * cqfleet cluster's gateway (the simulator behind it), reached by forward WebSocket with a
 * token, as NapCat or Lagrange would be. The front cluster owns the account through the
 * `onebot` driver: events come in and reach the front's clients and history, actions go out
 * and come back, and message ids mean the same thing on both sides.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  OneBotHttp,
  OneBotWs,
  registerAccounts,
  ReverseBackend,
  startTestCluster,
  type TestCluster,
  untilOnline,
  waitFor,
} from '@cqfleet/testkit';
import { GROUP, PERSON, sendThroughFront, speak, upstreamWorld } from './upstream-support.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const UIN = 10001;
const TOKEN = 'upstream-secret';
let upstream: TestCluster;
let front: TestCluster;
let api: OneBotHttp;
let upstreamApi: OneBotHttp;
/** A reverse-WebSocket backend of the account at the front, in string format with a filter. */
const backend = new ReverseBackend();

const say = (text: string) => speak(upstream.simulatorUrl, text);

/** Someone says `text` upstream; the front's client `ws` receives it as a message event. */
async function hear(ws: OneBotWs, text: string) {
  await say(text);
  return ws.waitForEvent(e => e.post_type === 'message' && e.raw_message === text, 10_000);
}

beforeAll(async () => {
  const world = await upstreamWorld(UIN, 'upstream bot');
  // Like NapCat with reportSelfMessage on: the front's history learns what the account sends.
  upstream = await startTestCluster({
    world,
    accounts: [UIN],
    accessToken: TOKEN,
    env: { GATEWAY_REPORT_SELF_MESSAGE: 'true' },
  });
  front = await startTestCluster({ accounts: [] });
  await backend.start();
  const filter = join(await mkdtemp(join(tmpdir(), 'filter-')), 'filter.json');
  await writeFile(filter, JSON.stringify({ raw_message: { '.contains': 'through the filter' } }));
  await registerAccounts(front.options.namespace, [
    {
      uin: UIN,
      driver: 'onebot',
      options: { url: `${upstream.wsUrl}/${UIN}/`, token: TOKEN },
      endpoints: {
        ws_reverse: [{ universal: backend.url, message_format: 'string', filter }],
      },
    },
  ]);
  await untilOnline(front.httpUrl, UIN, 20_000);
  api = new OneBotHttp(`${front.httpUrl}/${UIN}`);
  upstreamApi = new OneBotHttp(`${upstream.httpUrl}/${UIN}`, TOKEN);
}, 90_000);

afterAll(async () => {
  await front?.stop();
  await upstream?.stop();
  await backend.stop();
});

describe('an account behind another OneBot implementation', () => {
  it('delivers the upstream’s events to the front’s clients and history', async () => {
    const ws = await OneBotWs.connect(`${front.wsUrl}/${UIN}/`);
    try {
      const event = await hear(ws, 'hello through two clusters [CQ:face,id=14]');
      expect(event).toMatchObject({ self_id: UIN, group_id: GROUP, user_id: PERSON });
      // The id is the upstream's: both sides answer get_msg for it with the same message.
      const id = event.message_id as number;
      const there = await upstreamApi.ok<{ message: unknown }>('get_msg', { message_id: id });
      const here = await api.ok<{ message: unknown; message_id: number }>('get_msg', {
        message_id: id,
      });
      expect(here.message_id).toBe(id);
      expect(here.message).toEqual(there.message);
    } finally {
      await ws.close();
    }
  });

  it('delivers them to the account’s reverse WebSocket too, filtered and in its format', async () => {
    await waitFor(async () => backend.open(), 15_000);
    await say('stopped by the filter');
    await say('through the filter [CQ:face,id=14]');
    const passed = await waitFor(
      async () => backend.events().find(e => e.post_type === 'message'),
      10_000,
    );
    expect(passed.message).toBe('through the filter [CQ:face,id=14]');
    // The first was said first: had it passed the filter it would be here already.
    expect(
      backend
        .events()
        .filter(e => e.post_type === 'message')
        .map(e => e.raw_message),
    ).toEqual(['through the filter [CQ:face,id=14]']);
  });

  it('forwards actions and returns the upstream’s answers; sent ids work with get_msg and delete_msg', async () => {
    const login = await api.ok<{ user_id: number; nickname: string }>('get_login_info');
    expect(login).toEqual(expect.objectContaining({ user_id: UIN, nickname: 'upstream bot' }));
    const members = await api.ok<Array<{ user_id: number }>>('get_group_member_list', {
      group_id: GROUP,
    });
    expect(members.map(m => m.user_id).sort()).toEqual([PERSON, UIN].sort());

    const ws = await OneBotWs.connect(`${front.wsUrl}/${UIN}/`);
    try {
      const sent = await sendThroughFront(api, upstreamApi, 'sent from the front');
      // Recalling through the front recalls upstream; the recall notice comes back in.
      await api.ok('delete_msg', { message_id: sent });
      await ws.waitForEvent(e => e.notice_type === 'group_recall' && e.message_id === sent, 10_000);
    } finally {
      await ws.close();
    }
  });

  it('reply segments and essence name the upstream’s ids', async () => {
    const ws = await OneBotWs.connect(`${front.wsUrl}/${UIN}/`);
    try {
      const incoming = await hear(ws, 'quote me');
      const id = incoming.message_id as number;
      const sent = await api.ok<{ message_id: number }>('send_group_msg', {
        group_id: GROUP,
        message: `[CQ:reply,id=${id}]quoted`,
      });
      const there = await upstreamApi.ok<{ message: unknown }>('get_msg', {
        message_id: sent.message_id,
      });
      expect(JSON.stringify(there.message)).toMatch(new RegExp(`reply.{0,12}${id}`));
      await api.ok('set_essence_msg', { message_id: id });
      const essence = await upstreamApi.ok<Array<{ message_id: number }>>('get_essence_msg_list', {
        group_id: GROUP,
      });
      expect(essence.map(e => e.message_id)).toContain(id);
    } finally {
      await ws.close();
    }
  });

  it('passes the upstream’s failures on in go-cqhttp’s envelope', async () => {
    const r = await api.call('get_group_info', { group_id: 123 });
    expect(r).toMatchObject({ status: 'failed', retcode: 100, msg: 'GROUP_NOT_FOUND' });
  });

  it('reports the account offline while the upstream is away, with get_status counters', async () => {
    const before = await api.ok<{ online: boolean; stat: { packet_sent: number } }>('get_status');
    expect(before.online).toBe(true);
    expect(before.stat.packet_sent).toBeGreaterThan(0);
    await upstream.services.find(s => s.name === 'gateway')!.stop();
    const after = await waitFor(async () => {
      const s = await api.ok<{ online: boolean; stat: { disconnect_times: number } }>('get_status');
      return s.online ? undefined : s;
    }, 10_000);
    expect(after.stat.disconnect_times).toBeGreaterThanOrEqual(1);
    const r = await api.call('send_group_msg', { group_id: GROUP, message: 'nobody hears' });
    expect(r).toMatchObject({ status: 'failed', msg: 'ACCOUNT_OFFLINE' });
  });
});
