/**
 * No lost or doubled events across faults (issue 7, point 3). This test runs its own NATS and
 * Redis (so it can restart them; Redis with an append-only file, NATS with its store on disk).
 * While someone in the simulator says a message every 40 ms in a group both accounts are in, it
 * kills the session worker that owns 10001, kills the gateway replica that delivers, restarts
 * NATS, restarts Redis and restarts history. Then it counts: every message is in history
 * exactly once, the HTTP POST receiver has every event of both accounts (by event id), and the
 * reverse-WS backend has every event of 10001 after its reconnections.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ensureNats,
  ensureRedis,
  freePort,
  type InfraProcess,
  type RunningCluster,
  spawnService,
  startCluster,
} from '@cqfleet/devcluster';
import { SimControl } from '@cqfleet/sim-client';
import {
  OneBotHttp,
  Receiver,
  ReverseBackend,
  uniqueNamespace,
  untilOnline,
  waitFor,
} from '@cqfleet/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';

let nats: InfraProcess;
let redis: InfraProcess;
let natsDir: string;
let redisDir: string;
let natsUrl: string;
let redisUrl: string;
let cluster: RunningCluster;
let receiver: Receiver;
let backend: ReverseBackend;
const logs: string[] = [];

beforeAll(async () => {
  natsDir = await mkdtemp(join(tmpdir(), 'faults-nats-'));
  redisDir = await mkdtemp(join(tmpdir(), 'faults-redis-'));
  natsUrl = `nats://127.0.0.1:${await freePort()}`;
  redisUrl = `redis://127.0.0.1:${await freePort()}`;
  nats = await ensureNats(natsUrl, natsDir);
  redis = await ensureRedis(redisUrl, redisDir, 'redis-server', { persist: true });
  receiver = await new Receiver().start();
  backend = await new ReverseBackend().start();
  const file = join(await mkdtemp(join(tmpdir(), 'faults-gw-')), 'gateway.json');
  await writeFile(
    file,
    JSON.stringify({
      http_post: [{ url: `${receiver.url}/{self_id}`, accounts: '*', retry_interval_ms: 200 }],
      ws_reverse: [
        { universal: `${backend.url}/ws`, accounts: [10001], reconnect_interval_ms: 300 },
      ],
    }),
  );
  cluster = await startCluster({
    namespace: uniqueNamespace('faults'),
    natsUrl,
    redisUrl,
    ports: { simulator: 0, http: 0, ws: 0, history: await freePort() },
    sessions: 2,
    gateways: 2,
    cacheDir: await mkdtemp(join(tmpdir(), 'faults-cache-')),
    env: {
      GATEWAY_CONFIG_FILE: file,
      GATEWAY_HEARTBEAT_INTERVAL_MS: '0',
      GATEWAY_LEASE_TTL_MS: '3000',
      GATEWAY_RENEW_EVERY_MS: '500',
      GATEWAY_REBALANCE_EVERY_MS: '500',
      HISTORY_ACK_WAIT_MS: '3000',
    },
    onLog: (service, line) => logs.push(`${service} ${line}`),
  });
  await untilOnline(cluster.httpUrl, 10002);
  await waitFor(() => backend.open('Universal'), 10_000, 'reverse connection');
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  await receiver?.stop();
  await backend?.stop();
  await nats?.stop();
  await redis?.stop();
});

const pause = (ms: number) => new Promise(r => setTimeout(r, ms));

it('a steady stream survives a killed worker, a killed gateway and restarts of NATS, Redis and history', async () => {
  const sim = new SimControl(cluster.simulatorUrl);
  const said: Array<{ id: number; text: string }> = [];
  let talking = true;
  const talker = (async () => {
    for (let i = 0; talking; i++) {
      const text = `steady ${i}`;
      said.push({ id: (await sim.sendGroupMsg(20001, 100100, text)).message_id, text });
      await pause(40);
    }
  })();

  await pause(1_500);
  const session = cluster.services.find(s => s.name === 'session-1')!;
  await session.kill();
  await pause(2_000);
  const gateway = cluster.services.find(s => s.name === 'gateway')!;
  await gateway.kill();
  await pause(2_000);
  await nats.stop();
  await pause(1_000);
  nats = await ensureNats(natsUrl, natsDir);
  await pause(2_000);
  await redis.stop();
  await pause(1_000);
  redis = await ensureRedis(redisUrl, redisDir, 'redis-server', { persist: true });
  await pause(2_000);
  const history = cluster.services.find(s => s.name === 'history')!;
  await history.stop();
  const port = cluster.historyAddr.split(':').at(-1)!;
  const replacement = await spawnService(
    'history',
    'history-2',
    {
      CQFLEET_NAMESPACE: cluster.options.namespace,
      CQFLEET_NATS_URL: natsUrl,
      CQFLEET_REDIS_URL: redisUrl,
      HISTORY_GRPC_HOST: '127.0.0.1',
      HISTORY_GRPC_PORT: port,
      HISTORY_ACK_WAIT_MS: '3000',
    },
    { onLog: (service, line) => logs.push(`${service} ${line}`) },
  );
  cluster.services.push(replacement);
  await pause(2_000);
  talking = false;
  await talker;
  console.log(`messages said during the faults: ${said.length}`);

  const http = new OneBotHttp(`${cluster.gateways[1]!.httpUrl}/10002`);
  try {
    // History: every message, exactly once.
    await waitFor(
      async () => {
        for (const m of said) {
          const r = await http.call<{ message: string }>('get_msg', { message_id: m.id });
          if (r.status !== 'ok' || r.data.message !== m.text) return undefined;
        }
        return true;
      },
      60_000,
      'every message in history',
    );
    const seen = new Map<number, number>();
    let seq: number | undefined;
    for (;;) {
      const page = await http.ok<{ messages: Array<{ message_id: number; message_seq: number }> }>(
        'get_group_msg_history',
        { group_id: 100100, ...(seq !== undefined ? { message_seq: seq } : {}) },
      );
      const fresh = page.messages.filter(m => seq === undefined || m.message_seq < seq);
      if (fresh.length === 0) break;
      for (const m of fresh) seen.set(m.message_id, (seen.get(m.message_id) ?? 0) + 1);
      seq = Math.min(...fresh.map(m => m.message_seq));
      if (said.every(m => seen.has(m.id))) break;
    }
    for (const m of said) expect(seen.get(m.id), m.text).toBe(1);

    // HTTP POST: every event of both accounts, by event id.
    const delivered = () => {
      const got = new Set<string>();
      for (const r of receiver.events()) {
        const e = r.json as { self_id?: number; message_id?: number };
        if (e.message_id !== undefined) got.add(`${e.self_id}:${e.message_id}`);
      }
      return got;
    };
    await waitFor(
      () => {
        const got = delivered();
        return said.every(m => got.has(`10001:${m.id}`) && got.has(`10002:${m.id}`))
          ? true
          : undefined;
      },
      60_000,
      'every event at the HTTP POST receiver',
    );
    const ids = receiver.events().map(r => String(r.headers['x-event-id']));
    console.log(`HTTP POST: ${ids.length} requests, ${new Set(ids).size} distinct events`);

    // Reverse WS: every event of 10001, after the reconnections.
    await waitFor(
      () => (said.every(m => backend.events().some(f => f.message_id === m.id)) ? true : undefined),
      60_000,
      'every event at the reverse-WS backend',
    );
  } catch (err) {
    const missing: string[] = [];
    for (const m of said) {
      const r = await http.call<{ message: string }>('get_msg', { message_id: m.id });
      if (r.status !== 'ok') missing.push(`${m.text} (${r.status})`);
      else if (r.data.message !== m.text) missing.push(`${m.text} ≠ ${r.data.message}`);
    }
    console.log(`not in history: ${missing.length}: ${missing.slice(0, 20).join(', ')}`);
    console.log(
      logs
        .filter(l => /"level":"(warn|error|fatal)"/.test(l))
        .slice(-60)
        .join('\n'),
    );
    throw err;
  }
}, 240_000);
