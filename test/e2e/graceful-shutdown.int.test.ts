/**
 * Graceful shutdown (issue 7, point 7): SIGTERM lets actions in flight finish — on the gateway
 * that received them and on the session worker that runs them — hands the worker's accounts
 * over, and every service exits 0 well within its grace period.
 */
import { SimControl } from '@cqfleet/sim-client';
import type { ServiceProcess } from '@cqfleet/devcluster';
import {
  OneBotHttp,
  OneBotWs,
  startTestCluster,
  type TestCluster,
  untilOnline,
  waitFor,
} from '@cqfleet/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';

let cluster: TestCluster;
let sim: SimControl;

beforeAll(async () => {
  cluster = await startTestCluster({ gateways: 2, sessions: 2 });
  sim = new SimControl(cluster.simulatorUrl);
  await untilOnline(cluster.httpUrl, 10001);
}, 60_000);

afterAll(async () => {
  await sim?.faults(10001, { delay_ms: 0 }).catch(() => undefined);
  await cluster?.stop();
});

/** SIGTERM; resolves with the exit code and how long the process took to exit. */
function terminate(s: ServiceProcess): Promise<{ code: number | null; ms: number }> {
  const started = Date.now();
  return new Promise(resolve => {
    s.child.once('exit', code => resolve({ code, ms: Date.now() - started }));
    s.child.kill('SIGTERM');
  });
}

const service = (name: string) => cluster.services.find(s => s.name === name)!;

it('a gateway stopping answers the actions it has in flight, over HTTP and WebSocket', async () => {
  // The QQ side answers 10001 slowly: its actions are in flight when the gateway is told to stop.
  await sim.faults(10001, { delay_ms: 1_500 });
  const ws = await OneBotWs.connect(`${cluster.wsUrl}/10001/`);
  const overHttp = new OneBotHttp(`${cluster.httpUrl}/10001`).call('send_group_msg', {
    group_id: 100100,
    message: 'in flight over HTTP',
  });
  const overWs = ws.call('send_group_msg', { group_id: 100100, message: 'in flight over WS' });
  await new Promise(r => setTimeout(r, 300));
  const exit = terminate(service('gateway'));
  const [http, wsReply] = await Promise.all([overHttp, overWs]);
  expect(http).toMatchObject({ status: 'ok', retcode: 0 });
  expect(wsReply).toMatchObject({ status: 'ok', retcode: 0 });
  expect(await exit).toMatchObject({ code: 0 });
  expect((await exit).ms).toBeLessThan(10_000);
  await ws.close().catch(() => undefined);
  await sim.faults(10001, { delay_ms: 0 });
});

it('a session worker stopping finishes its actions in flight, then hands its accounts over', async () => {
  const other = cluster.gateways[1]!;
  const http = new OneBotHttp(`${other.httpUrl}/10001`);
  const owner = await waitFor(
    async () => {
      for (const name of ['session-1', 'session-2']) {
        const s = service(name);
        const res = await fetch(`http://127.0.0.1:${String(s.ready.admin)}/readyz`);
        const { accounts } = (await res.json()) as { accounts: number[] };
        if (accounts.includes(10001)) return s;
      }
      return undefined;
    },
    10_000,
    'the owner of 10001',
  );
  await sim.faults(10001, { delay_ms: 1_500 });
  const inFlight = http.call('send_group_msg', { group_id: 100100, message: 'finished first' });
  await new Promise(r => setTimeout(r, 300));
  const exit = terminate(owner);
  expect(await inFlight).toMatchObject({ status: 'ok', retcode: 0 });
  expect(await exit).toMatchObject({ code: 0 });
  expect((await exit).ms).toBeLessThan(10_000);
  await sim.faults(10001, { delay_ms: 0 });
  // The account went to the other worker at once.
  const after = await http.call('send_group_msg', { group_id: 100100, message: 'next owner' });
  expect(after).toMatchObject({ status: 'ok' });
});

it('history, media and the simulator exit 0 on SIGTERM within the grace period', async () => {
  for (const name of ['history', 'media', 'simulator']) {
    const exit = await terminate(service(name));
    expect(exit, name).toMatchObject({ code: 0 });
    expect(exit.ms, name).toBeLessThan(10_000);
  }
});
