/**
 * The relay of a reverse-WebSocket upstream across a NATS restart: the upstream's socket stays
 * with the gateway, the gateway's and the owner's subscriptions come back with their NATS
 * connections, and the owner attaches to the same socket again — the upstream never notices —
 * and gets the events the upstream sent meanwhile from the gateway (replayed on attach). This
 * test runs its own NATS so it can restart it.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureNats, freePort, type InfraProcess } from '@cqfleet/devcluster';
import {
  OneBotHttp,
  OneBotWs,
  registerAccounts,
  startTestCluster,
  type TestCluster,
  untilOnline,
  waitFor,
} from '@cqfleet/testkit';
import type WebSocket from 'ws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectReverse, messageFrame, text } from './scripted-reverse.js';
import { stored } from './upstream-support.js';

const UIN = 30005;
const TOKEN = 'relay-faults';
let nats: InfraProcess;
let natsDir: string;
let natsUrl: string;
let front: TestCluster;
let upstream: WebSocket;
let upstreamClosed = false;

beforeAll(async () => {
  natsDir = await mkdtemp(join(tmpdir(), 'relay-nats-'));
  natsUrl = `nats://127.0.0.1:${await freePort()}`;
  nats = await ensureNats(natsUrl, natsDir);
  front = await startTestCluster({ accounts: [], natsUrl });
  await registerAccounts(
    front.options.namespace,
    [{ uin: UIN, driver: 'onebot', options: { mode: 'reverse', token: TOKEN } }],
    natsUrl,
  );
  upstream = (await connectReverse(front.wsUrl, UIN, TOKEN)).ws;
  upstream.on('close', () => (upstreamClosed = true));
  await untilOnline(front.httpUrl, UIN, 15_000);
}, 60_000);

afterAll(async () => {
  upstream?.close();
  await front?.stop();
  await nats?.stop();
});

it('keeps the upstream’s socket through a NATS restart and serves it again after', async () => {
  const api = new OneBotHttp(`${front.httpUrl}/${UIN}`);
  expect(await api.ok('echo_back', { before: true })).toEqual({ before: true });

  await nats.stop();
  await new Promise(r => setTimeout(r, 500));
  // Said while nobody can hear it: the gateway keeps it and replays it to the owner.
  upstream.send(messageFrame(UIN, 7001, [text('said during the outage')], 800800));
  await new Promise(r => setTimeout(r, 500));
  nats = await ensureNats(natsUrl, natsDir);

  await waitFor(async () => {
    const r = await api.call('echo_back', { after: true });
    return r.status === 'ok' ? true : undefined;
  }, 30_000);
  // Events flow again too: from the upstream, through the relay, to a front client.
  const client = await OneBotWs.connect(`${front.wsUrl}/${UIN}/`);
  try {
    upstream.send(
      JSON.stringify({
        post_type: 'notice',
        notice_type: 'notify',
        sub_type: 'poke',
        time: Math.floor(Date.now() / 1000),
        self_id: UIN,
        user_id: 20001,
        target_id: UIN,
      }),
    );
    await client.waitForEvent(e => e.notice_type === 'notify' && e.user_id === 20001, 10_000);
  } finally {
    await client.close();
  }
  expect(await stored(api, 7001)).toMatchObject({ message_id: 7001 });
  expect(upstreamClosed).toBe(false);
}, 60_000);
