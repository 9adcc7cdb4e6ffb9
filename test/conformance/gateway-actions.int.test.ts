/**
 * Conformance: the actions the gateway answers itself — `.handle_quick_operation` with
 * go-cqhttp's semantics, `reload_event_filter` with a real filter file, and `get_updates`
 * (long polling).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimControl } from '@cqfleet/sim-client';
import {
  expectEvent,
  expectOk,
  OneBotHttp,
  OneBotWs,
  startTestCluster,
  type TestCluster,
  waitFor,
} from '@cqfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let cluster: TestCluster;
let alpha: OneBotHttp;
let sim: SimControl;
let filterFile: string;

beforeAll(async () => {
  filterFile = join(await mkdtemp(join(tmpdir(), 'filter-')), 'filter.json');
  // Drop everything Bob (20002) says.
  await writeFile(filterFile, JSON.stringify({ '.not': { user_id: 20002 } }));
  cluster = await startTestCluster({
    env: { GATEWAY_EVENT_FILTER: filterFile, GATEWAY_LONG_POLLING: 'true' },
  });
  alpha = new OneBotHttp(`${cluster.httpUrl}/10001`);
  sim = new SimControl(cluster.simulatorUrl);
  await waitFor(
    async () => ((await alpha.call('get_login_info')).status === 'ok' ? true : undefined),
    15_000,
    'online',
  );
});

afterAll(() => cluster?.stop());

describe('event filter', () => {
  it('drops what the filter rejects; reload_event_filter with the same path takes effect', async () => {
    const ws = await OneBotWs.connect(`${cluster.wsUrl}/10001/`);
    const bob = await sim.sendGroupMsg(20002, 100100, 'bob, filtered');
    const alice = await sim.sendGroupMsg(20001, 100100, 'alice, delivered');
    await expectEvent(ws, 'message.group.normal', e => e.message_id === alice.message_id);
    expect(ws.events.some(e => e.message_id === bob.message_id)).toBe(false);

    await writeFile(filterFile, JSON.stringify({ post_type: 'message' }));
    expect(await expectOk(alpha, 'reload_event_filter', { file: filterFile })).toBeNull();
    const again = await sim.sendGroupMsg(20002, 100100, 'bob, now delivered');
    await expectEvent(ws, 'message.group.normal', e => e.message_id === again.message_id);

    // An unreadable file keeps the filter that works; still ok, as go-cqhttp.
    await writeFile(filterFile, '{not json');
    expect(await expectOk(alpha, 'reload_event_filter', { file: filterFile })).toBeNull();
    await sim.act(20001, 'poke', { group_id: 100100, user_id: 10001 });
    await new Promise(r => setTimeout(r, 300));
    expect(ws.events.some(e => e.post_type === 'notice')).toBe(false);
    await ws.close();
  });
});

describe('long polling', () => {
  it('get_updates waits for events and returns them in the endpoint format', async () => {
    expect(await expectOk(alpha, 'get_updates', { timeout: 1 })).toEqual([]);
    const pending = alpha.call<Array<Record<string, unknown>>>('get_updates', {
      limit: 1,
      timeout: 5,
    });
    await new Promise(r => setTimeout(r, 100));
    const said = await sim.sendGroupMsg(20003, 100100, 'poll me');
    const res = await pending;
    expect(res.status).toBe('ok');
    if (res.status !== 'ok') return;
    expect(res.data).toEqual([
      expect.objectContaining({ message_id: said.message_id, message: 'poll me' }),
    ]);
  });
});

describe('.handle_quick_operation', () => {
  it('group message: reply with at_sender, ban the sender; always ok', async () => {
    const ws = await OneBotWs.connect(`${cluster.wsUrl}/10001/`);
    const said = await sim.sendGroupMsg(20003, 100100, 'ping');
    const context = await expectEvent(
      ws,
      'message.group.normal',
      e => e.message_id === said.message_id,
    );
    const result = await expectOk(alpha, '.handle_quick_operation', {
      context,
      operation: { reply: 'pong', at_sender: true, ban: true, ban_duration: 60 },
    });
    expect(result).toBeNull();
    const last = (await sim.groupMessages(100100, 1))[0]!;
    expect(last).toMatchObject({ sender_id: 10001, message: '[CQ:at,qq=20003]pong' });
    const shut = await expectOk<Array<{ user_id: number }>>(alpha, 'get_group_shut_list', {
      group_id: 100100,
    });
    expect(shut.map(m => m.user_id)).toContain(20003);
    // at_sender defaults to false (go-cqhttp); failures inside are swallowed.
    await expectOk(alpha, '.handle_quick_operation', {
      context,
      operation: { reply: 'plain', kick: true },
    });
    expect((await sim.groupMessages(100100, 1))[0]!.message).toBe('plain');
    await ws.close();
  });

  it('friend request: approve', async () => {
    await writeFile(filterFile, '{}'); // let requests through again
    await expectOk(alpha, 'reload_event_filter', { file: filterFile });
    const ws = await OneBotWs.connect(`${cluster.wsUrl}/10001/`);
    const flag = await sim.requestFriend(20006, 10001, 'hi');
    const context = await expectEvent(ws, 'request.friend', e => e.flag === flag);
    await expectOk(alpha, '.handle_quick_operation', { context, operation: { approve: true } });
    const friends = await expectOk<Array<{ user_id: number }>>(alpha, 'get_friend_list');
    expect(friends.map(f => f.user_id)).toContain(20006);
    await ws.close();
  });
});
