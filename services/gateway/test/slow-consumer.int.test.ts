/**
 * A forward-WebSocket client that stops reading while events flow (issue 15, item 6): a raw
 * TCP client completes the handshake and then pauses; ~48 MB of events are published on NATS
 * for its account. The gateway (in this process, on the run's NATS and Redis) must close the
 * connection as a slow consumer (1008) rather than buffer them all: once the client reads
 * again, it receives far less than was published, and then the close frame.
 */
import { Namespace } from '@cqfleet/contracts';
import {
  connectNats,
  createLogger,
  ensureEventStream,
  metricsRegistry,
  type NatsConnection,
} from '@cqfleet/runtime';
import { registerAccounts, testInfra, uniqueNamespace } from '@cqfleet/testkit';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '@cqfleet/gateway';
import { startLocalGateway } from './local-gateway.js';
import { rawConnect } from './raw-socket.js';

const UIN = 10001;
const FRAME = 512 * 1024;
const FRAMES = 96; // 48 MiB
let ns: Namespace;
let nc: NatsConnection;
let gw: RunningGateway;

beforeAll(async () => {
  ns = new Namespace(uniqueNamespace('slow'));
  const log = createLogger('test', 'silent');
  nc = await connectNats(testInfra().natsUrl, 'test', log);
  // Kept in memory, and deleted afterwards: the test's 48 MiB need not outlive it.
  await ensureEventStream(nc, ns, {
    storage: 'memory',
    maxAgeMs: 120_000,
    duplicateWindowMs: 60_000,
  });
  await registerAccounts(ns.name, [{ uin: UIN, options: { url: 'http://127.0.0.1:9' } }]);
  gw = await startLocalGateway(ns, log);
});

afterAll(async () => {
  await gw?.stop();
  await (await jetstreamManager(nc)).streams.delete(ns.eventStream).catch(() => undefined);
  await nc?.drain();
});

/** Slow consumers closed so far by the gateways of this process. */
async function slowConsumers(): Promise<number> {
  const metric = metricsRegistry.getSingleMetric('cqfleet_gateway_refused_total');
  const values = metric ? (await metric.get()).values : [];
  return values.find(v => v.labels.reason === 'slow_consumer')?.value ?? 0;
}

/** The frames of a server-to-client WebSocket byte stream (unmasked). */
function frames(bytes: Buffer): Array<{ opcode: number; payload: Buffer }> {
  const out: Array<{ opcode: number; payload: Buffer }> = [];
  for (let at = 0; at + 2 <= bytes.length;) {
    let length = bytes[at + 1]! & 0x7f;
    let header = 2;
    if (length === 126) {
      length = bytes.readUInt16BE(at + 2);
      header = 4;
    } else if (length === 127) {
      length = Number(bytes.readBigUInt64BE(at + 2));
      header = 10;
    }
    if (at + header + length > bytes.length) break;
    out.push({
      opcode: bytes[at]! & 0x0f,
      payload: bytes.subarray(at + header, at + header + length),
    });
    at += header + length;
  }
  return out;
}

describe('forward WS - a client that stops reading', () => {
  it('is closed 1008 "slow consumer" and the gateway does not keep what it could not send', async () => {
    const before = await slowConsumers();
    const conn = await rawConnect(gw.wsPort);
    conn.socket.write(
      `GET /${UIN}/event HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    await conn.waitFor('\r\n\r\n', 5_000);
    expect(conn.received()).toMatch(/^HTTP\/1\.1 101 /);
    const handshake = conn.received().indexOf('\r\n\r\n') + 4;
    conn.socket.pause(); // reads nothing from here on

    const padding = 'p'.repeat(FRAME - 200);
    for (let i = 0; i < FRAMES; i++) {
      nc.publish(
        ns.eventSubject(UIN, 'notice'),
        JSON.stringify({ post_type: 'notice', notice_type: 'x', self_id: UIN, time: i, padding }),
      );
      if (i % 8 === 7) await nc.flush();
    }
    await nc.flush();
    await expect
      .poll(() => slowConsumers(), { timeout: 20_000, interval: 100 })
      .toBeGreaterThan(before);

    conn.socket.resume();
    await conn.closed(15_000);
    const received = Buffer.from(conn.received(), 'latin1').subarray(handshake);
    const all = frames(received);
    const events = all.filter(f => f.opcode === 0x1);
    const close = all.find(f => f.opcode === 0x8);
    expect(close?.payload.readUInt16BE(0)).toBe(1008);
    expect(close?.payload.subarray(2).toString()).toBe('slow consumer');
    // What reached the client is what the kernel and GATEWAY_WS_MAX_BUFFERED_BYTES (4 MiB)
    // held; everything published after the limit was dropped, not buffered.
    expect(events.length).toBeLessThan(FRAMES / 2);
  });
});
