/**
 * One delivery per (account, endpoint) across gateway replicas (issue 4, point 10): with two
 * gateways running, an HTTP POST receiver gets each event once and a reverse-WS backend sees
 * one connection per account; when the replica that delivers dies, the other takes over and
 * nothing is lost.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimControl } from '@cqfleet/sim-client';
import {
  OneBotHttp,
  Receiver,
  ReverseBackend,
  startTestCluster,
  type TestCluster,
  waitFor,
} from '@cqfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let cluster: TestCluster;
let receiver: Receiver;
let backend: ReverseBackend;
let sim: SimControl;

beforeAll(async () => {
  receiver = await new Receiver().start();
  backend = await new ReverseBackend().start();
  const file = join(await mkdtemp(join(tmpdir(), 'gw-')), 'gateway.json');
  await writeFile(
    file,
    JSON.stringify({
      http_post: [
        {
          url: `${receiver.url}/{self_id}`,
          accounts: '*',
          retry_interval_ms: 100,
          max_retry_interval_ms: 500,
        },
      ],
      ws_reverse: [
        { universal: `${backend.url}/ws`, accounts: [10001], reconnect_interval_ms: 200 },
      ],
    }),
  );
  cluster = await startTestCluster({
    gateways: 2,
    env: {
      GATEWAY_CONFIG_FILE: file,
      GATEWAY_HEARTBEAT_INTERVAL_MS: '0',
      GATEWAY_LEASE_TTL_MS: '2000',
      GATEWAY_RENEW_EVERY_MS: '300',
      GATEWAY_REBALANCE_EVERY_MS: '300',
    },
  });
  sim = new SimControl(cluster.simulatorUrl);
  await waitFor(
    async () =>
      (await new OneBotHttp(`${cluster.httpUrl}/10002`).call('get_login_info')).status === 'ok'
        ? true
        : undefined,
    15_000,
    'online',
  );
});

afterAll(async () => {
  await cluster?.stop();
  await receiver?.stop();
  await backend?.stop();
});

const received = (id: number) => receiver.events().filter(r => r.json.message_id === id).length;

async function say(n: number, label: string) {
  const out: number[] = [];
  for (let i = 0; i < n; i++)
    out.push((await sim.sendGroupMsg(20001, 100100, `${label} ${i}`)).message_id);
  return out;
}

describe('two gateway replicas', () => {
  it('each event reaches each HTTP POST receiver once, and each reverse-WS backend over one connection', async () => {
    await waitFor(() => backend.open('Universal'), 10_000, 'reverse connection');
    const ids = await say(10, 'steady');
    // Both accounts are in the group: each message is an event of 10001 and one of 10002.
    await waitFor(
      () => (ids.every(id => received(id) === 2) ? true : undefined),
      15_000,
      'all delivered',
    );
    await new Promise(r => setTimeout(r, 500));
    expect(ids.map(received)).toEqual(ids.map(() => 2));
    const eventIds = receiver.events().map(r => r.headers['x-event-id']);
    expect(new Set(eventIds).size).toBe(eventIds.length);
    expect(backend.connections.filter(c => !c.closed)).toHaveLength(1);
    const frames = backend.events().filter(f => ids.includes(f.message_id as number));
    expect(frames).toHaveLength(ids.length);
  });

  it('when a replica dies, the other takes its deliveries over and nothing is lost', async () => {
    const first = cluster.services.find(s => s.name === 'gateway')!;
    await first.kill();
    const during = await say(5, 'failover');
    await waitFor(
      () => (during.every(id => received(id) >= 2) ? true : undefined),
      20_000,
      'delivered after the failover',
    );
    // Every event at least once (receivers de-duplicate by X-Event-Id).
    expect(during.every(id => received(id) >= 2)).toBe(true);
    await waitFor(() => backend.open('Universal'), 10_000, 'reverse connection again');
    await waitFor(
      () =>
        during.every(id => backend.events().some(f => f.message_id === id)) ? true : undefined,
      10_000,
      'reverse WS caught up',
    );
    expect(backend.connections.filter(c => !c.closed)).toHaveLength(1);
  });
});
