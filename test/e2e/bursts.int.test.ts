/**
 * A burst in a busy group travels in batches (several events per stream message, contracts'
 * bus.ts) and every consumer takes them apart: a forward-WS client gets each message once, in
 * order; the HTTP POST receiver gets each once, in order, with its own event id; history
 * stores each (get_msg finds them) and counts each once.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Namespace } from '@cqfleet/contracts';
import { connectNats, createLogger } from '@cqfleet/runtime';
import {
  OneBotHttp,
  OneBotWs,
  Receiver,
  startTestCluster,
  type TestCluster,
  testInfra,
  uniqueNamespace,
  untilOnline,
  waitFor,
} from '@cqfleet/testkit';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, expect, it } from 'vitest';

const BURST = 300;
let cluster: TestCluster;
let receiver: Receiver;
const ns = new Namespace(uniqueNamespace('bursts'));

beforeAll(async () => {
  receiver = await new Receiver().start();
  const file = join(await mkdtemp(join(tmpdir(), 'bursts-gw-')), 'gateway.json');
  await writeFile(
    file,
    JSON.stringify({ http_post: [{ url: `${receiver.url}/post`, accounts: [10001] }] }),
  );
  cluster = await startTestCluster({
    namespace: ns.name,
    env: { GATEWAY_CONFIG_FILE: file, GATEWAY_HEARTBEAT_INTERVAL_MS: '0' },
  });
  await untilOnline(cluster.httpUrl, 10001);
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  await receiver?.stop();
});

it('a burst of 300 messages reaches WS, HTTP POST and history once each, in order', async () => {
  const ws = await OneBotWs.connect(`${cluster.wsUrl}/10001/event`);
  const texts = Array.from({ length: BURST }, (_, i) => `burst ${i}`);
  const res = await fetch(`${cluster.simulatorUrl}/people/20001/send_group_msgs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ group_id: 100100, messages: texts }),
  });
  expect(res.ok).toBe(true);

  const said = (frames: Array<Record<string, unknown>>) =>
    frames
      .filter(e => e.post_type === 'message' && String(e.raw_message).startsWith('burst '))
      .map(e => e.raw_message);
  await waitFor(() => (said(ws.events).length >= BURST ? true : undefined), 20_000, 'WS');
  const posted = () => said(receiver.received.map(r => r.json));
  await waitFor(() => (posted().length >= BURST ? true : undefined), 20_000, 'HTTP POST');
  await new Promise(r => setTimeout(r, 300));
  expect(said(ws.events)).toEqual(texts);
  expect(posted()).toEqual(texts);
  const ids = receiver.received
    .filter(r => String(r.json.raw_message).startsWith('burst '))
    .map(r => r.headers['x-event-id']);
  expect(new Set(ids).size).toBe(BURST);

  const http = new OneBotHttp(`${cluster.httpUrl}/10001`);
  const messages = ws.events.filter(e => String(e.raw_message).startsWith('burst '));
  for (const m of [messages[0], messages[150], messages[BURST - 1]]) {
    const found = await http.ok<{ message_id: number; message: unknown }>('get_msg', {
      message_id: m!.message_id,
    });
    expect(found).toMatchObject({ message_id: m!.message_id, message: m!.message });
  }
  await ws.close();

  // Batches it was: far fewer stream messages than the burst's events (both accounts').
  const nc = await connectNats(testInfra().natsUrl, 'test', createLogger('test', 'silent'));
  try {
    const jsm = await jetstreamManager(nc);
    expect((await jsm.streams.info(ns.eventStream)).state.messages).toBeLessThan(BURST);
  } finally {
    await nc.close();
  }
});
