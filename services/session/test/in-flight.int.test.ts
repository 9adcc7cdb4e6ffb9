/**
 * An account's calls in flight at its session worker are bounded
 * (SESSION_MAX_IN_FLIGHT_PER_ACCOUNT): actions from every gateway and history's QQ-side reads
 * together. Past the bound a call is answered RATE_LIMIT_QUEUE_FULL at once — the gateway's
 * answer to its own per-account in-flight refusal — and another account on the same worker is
 * served as before.
 *
 * A whole worker in the test's process, on the run's NATS and Redis, with two `onebot` accounts
 * on scripted forward upstreams: A's never answers a send or a history read, B's answers all.
 */
import type { AddressInfo } from 'node:net';
import { Namespace } from '@cqfleet/contracts';
import { MessageFormat } from '@cqfleet/proto';
import { ActionChannel, QQSideReader } from '@cqfleet/rpc';
import { createLogger, metricsRegistry, Redis } from '@cqfleet/runtime';
import {
  metricValue,
  registerAccounts,
  testInfra,
  uniqueNamespace,
  waitFor,
} from '@cqfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { loadConfig } from '../src/config.js';
import { type RunningWorker, startWorker } from '../src/worker.js';

const A = 30881;
const B = 30882;
const BOUND = 4;
const log = createLogger('test', 'silent');

/** A forward upstream of `uin`; `silent` actions are never answered. */
function upstream(uin: number, silent: ReadonlySet<string>) {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  server.on('connection', ws =>
    ws.on('message', data => {
      const { action, echo } = JSON.parse(data.toString()) as { action: string; echo: string };
      if (silent.has(action)) return;
      const answer =
        action === 'get_login_info'
          ? { user_id: uin, nickname: 'bot' }
          : action === 'get_version_info'
            ? { app_name: 'NapCat.Onebot' }
            : { message_id: 1 };
      ws.send(JSON.stringify({ status: 'ok', retcode: 0, data: answer, echo }));
    }),
  );
  return server;
}

const silentA = upstream(A, new Set(['send_msg', 'get_group_msg_history']));
const answersB = upstream(B, new Set());
const urlOf = (s: WebSocketServer) => `ws://127.0.0.1:${(s.address() as AddressInfo).port}`;

let ns: Namespace;
let worker: RunningWorker;
let channel: ActionChannel;
let redis: Redis;
let reader: QQSideReader | undefined;

beforeAll(async () => {
  ns = new Namespace(uniqueNamespace('inflight'));
  for (const s of [silentA, answersB])
    if (!s.address()) await new Promise(r => s.once('listening', r));
  await registerAccounts(ns.name, [
    { uin: A, driver: 'onebot', options: { url: urlOf(silentA), timeoutMs: 20_000 } },
    { uin: B, driver: 'onebot', options: { url: urlOf(answersB), timeoutMs: 20_000 } },
  ]);
  worker = await startWorker(
    loadConfig({
      CQFLEET_NAMESPACE: ns.name,
      CQFLEET_NATS_URL: testInfra().natsUrl,
      CQFLEET_REDIS_URL: testInfra().redisUrl,
      SESSION_GRPC_PORT: '0',
      SESSION_MAX_IN_FLIGHT_PER_ACCOUNT: String(BOUND),
    }),
    log,
  );
  await waitFor(
    () => (worker.accounts.get(A)?.online && worker.accounts.get(B)?.online ? true : undefined),
    10_000,
    'both accounts online',
  );
  channel = new ActionChannel(worker.grpc, log);
  redis = new Redis(testInfra().redisUrl);
});

afterAll(async () => {
  reader?.close();
  channel?.close();
  await worker?.stop();
  redis?.disconnect();
  for (const s of [silentA, answersB]) {
    for (const c of s.clients) c.terminate();
    await new Promise(r => s.close(r));
  }
});

const send = (selfId: number, waitMs = 15_000) =>
  channel.call(
    {
      selfId,
      action: 'send_msg',
      paramsJson: Buffer.from(JSON.stringify({ user_id: 20001, message: 'hi' })),
      messageFormat: MessageFormat.MESSAGE_FORMAT_ARRAY,
      deadlineMs: 0,
      fence: 0,
    },
    waitMs,
  );

describe('an account’s calls in flight at its worker', () => {
  it('past SESSION_MAX_IN_FLIGHT_PER_ACCOUNT are RATE_LIMIT_QUEUE_FULL at once; another account still runs', async () => {
    const refusals = async (kind: string) => {
      const text = await metricsRegistry.metrics();
      try {
        return metricValue(text, 'cqfleet_session_calls_refused_total', { kind });
      } catch {
        return 0; // none yet
      }
    };
    const before = { action: await refusals('action'), read: await refusals('read') };
    // BOUND - 1 sends and one history read of A wait on its silent upstream.
    const hanging = Array.from({ length: BOUND - 1 }, () => send(A));
    reader = new QQSideReader(redis, ns, 15_000);
    const hangingRead = reader.read(A, 'group_messages', { group_id: 1, seq: 0, count: 10 });
    hanging.forEach(p => p.catch(() => undefined));
    hangingRead.catch(() => undefined);
    // They have reached the worker (the read first looks up A's owner in Redis).
    await new Promise(r => setTimeout(r, 500));

    const started = Date.now();
    const refused = await send(A, 5_000);
    expect(refused).toMatchObject({ msg: 'RATE_LIMIT_QUEUE_FULL', retcode: 100 });
    expect(Date.now() - started).toBeLessThan(1_000);
    await expect(
      reader.read(A, 'group_messages', { group_id: 1, seq: 0, count: 10 }),
    ).rejects.toMatchObject({ msg: 'RATE_LIMIT_QUEUE_FULL' });
    expect(await refusals('action')).toBe(before.action + 1);
    expect(await refusals('read')).toBe(before.read + 1);

    // B, on the same worker, is served at once.
    const other = await send(B, 5_000);
    expect(other).toMatchObject({ retcode: 0 });
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
