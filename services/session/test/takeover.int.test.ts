/**
 * Accounts are owned by lease: when the worker that owns them dies (SIGKILL, no goodbye), a
 * second worker takes them over once the lease expires, resumes the event stream from the
 * dead worker's cursor (nothing said meanwhile is lost, nothing is delivered twice), and the
 * gateway routes actions to it.
 */
import { SimControl } from '@cqfleet/sim-client';
import {
  OneBotHttp,
  OneBotWs,
  startTestCluster,
  type TestCluster,
  waitFor,
} from '@cqfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({
    env: {
      SESSION_LEASE_TTL_MS: '2000',
      SESSION_RENEW_EVERY_MS: '400',
      SESSION_REBALANCE_EVERY_MS: '300',
    },
  });
});

afterAll(() => cluster?.stop());

describe('session - lease takeover', () => {
  it('a second worker takes over a killed worker’s accounts without losing or doubling events', async () => {
    const http = new OneBotHttp(`${cluster.httpUrl}/10001`);
    await waitFor(
      async () => ((await http.call('get_login_info')).status === 'ok' ? true : undefined),
      15_000,
      'online',
    );
    const first = cluster.services.find(s => s.name === 'session-1')!;
    const second = await cluster.addSession();
    const ws = await OneBotWs.connect(`${cluster.wsUrl}/10001/`);
    const sim = new SimControl(cluster.simulatorUrl);

    const before = await sim.sendGroupMsg(20003, 100100, 'before the crash');
    await ws.waitForEvent(e => e.message_id === before.message_id);

    await first.kill();
    // Said while no worker owns the account: delivered after the takeover.
    const during = await sim.sendGroupMsg(20003, 100100, 'while nobody owns you');
    const ev = await ws.waitForEvent(e => e.message_id === during.message_id, 15_000);
    expect(ev).toMatchObject({ self_id: 10001, raw_message: 'while nobody owns you' });

    const after = await waitFor(
      async () => {
        const r = await http.call<{ message_id: number }>('send_group_msg', {
          group_id: 100100,
          message: 'served by the new owner',
        });
        return r.status === 'ok' ? r.data : undefined;
      },
      10_000,
      'actions after takeover',
    );
    expect(after.message_id).toEqual(expect.any(Number));
    expect((await http.ok<{ online: boolean }>('get_status')).online).toBe(true);
    expect(second.child.exitCode).toBeNull();

    // Each event reached this connection once, re-publishes after the takeover included.
    await new Promise(r => setTimeout(r, 300));
    const ids = ws.events.filter(e => e.post_type === 'message').map(e => e.message_id);
    expect(new Set(ids).size).toBe(ids.length);
    await ws.close();
  });
});
