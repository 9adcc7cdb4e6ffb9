/**
 * The events suite's raw baselines, measured in the same run: JetStream publish-with-ack and
 * core NATS pub → sub of the event's payload, and a bare `ws` server broadcasting it.
 */
import type { AddressInfo } from 'node:net';
import { Namespace } from '@cqfleet/contracts';
import { connectNats, createLogger, ensureEventStream } from '@cqfleet/runtime';
import { jetstream } from '@nats-io/jetstream';
import WebSocket, { WebSocketServer } from 'ws';

/** The size of a benchmark event's message payload. */
export const PAYLOAD = Buffer.alloc(610, 'x');

/** Raw JetStream publish with ack, 256 in flight, and raw core pub → sub, in events/s. */
export async function rawNats(natsUrl: string, seconds: number) {
  const log = createLogger('bench', 'warn');
  const nc = await connectNats(natsUrl, 'bench raw', log);
  const ns = new Namespace(`bench-raw-${process.pid}`);
  await ensureEventStream(nc, ns);
  const js = jetstream(nc);
  let acked = 0;
  const until = performance.now() + seconds * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: 256 }, async () => {
      while (performance.now() < until) {
        await js.publish(ns.eventSubject(1, 'message'), PAYLOAD);
        acked++;
      }
    }),
  );
  const jsRate = acked / ((performance.now() - start) / 1000);
  let received = 0;
  const sub = nc.subscribe('bench.raw.core', {
    callback: () => {
      received++;
    },
  });
  const coreStart = performance.now();
  const coreUntil = coreStart + seconds * 1000;
  let sent = 0;
  while (performance.now() < coreUntil) {
    for (let i = 0; i < 1000; i++) nc.publish('bench.raw.core', PAYLOAD);
    sent += 1000;
    await nc.flush();
  }
  await nc.flush();
  const coreRate = received / ((performance.now() - coreStart) / 1000);
  sub.unsubscribe();
  const jsm = await js.jetstreamManager();
  await jsm.streams.delete(ns.eventStream).catch(() => false);
  await nc.drain();
  return { jsRate, coreRate, sent };
}

/**
 * Raw WebSocket broadcast: a bare `ws` server sending the event frame to `clients` connections
 * (in this process, as the benchmark's clients are), 200 frames at a time, the next burst once
 * every client has the last one. In deliveries per second.
 */
export async function rawBroadcast(clients: number, seconds: number): Promise<number> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise(r => wss.once('listening', r));
  const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  const frame = `${JSON.stringify({ post_type: 'message', raw_message: PAYLOAD.toString() })}\n`;
  let received = 0;
  let wanted = 0;
  let wake = () => undefined as void;
  const sockets = await Promise.all(
    Array.from({ length: clients }, async () => {
      const ws = new WebSocket(url);
      ws.on('message', () => {
        if (++received >= wanted) wake();
      });
      await new Promise(r => ws.once('open', r));
      return ws;
    }),
  );
  const start = performance.now();
  const until = start + seconds * 1000;
  while (performance.now() < until) {
    wanted = received + 200 * clients;
    const all = new Promise<void>(r => (wake = r));
    for (let i = 0; i < 200; i++) for (const peer of wss.clients) peer.send(frame);
    await all;
  }
  const rate = received / ((performance.now() - start) / 1000);
  sockets.forEach(ws => ws.close());
  wss.close();
  return rate;
}
