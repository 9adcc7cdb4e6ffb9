/**
 * A stopping service does not wait for its clients (issue 15): with connections held open on
 * every HTTP port — one that never sent a request, one idle after a request — and a WebSocket
 * on the gateway that never answers the closing handshake, SIGTERM still stops each service
 * cleanly (exit 0) well within its 10 s grace period. Before, the gateway and the simulator
 * waited for such clients until the grace period ran out and exited with a failure.
 */
import { connect, type Socket } from 'node:net';
import type { ServiceProcess } from '@cqfleet/devcluster';
import { startTestCluster, type TestCluster, untilOnline } from '@cqfleet/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';

let cluster: TestCluster;
const held: Socket[] = [];

beforeAll(async () => {
  cluster = await startTestCluster();
  await untilOnline(cluster.httpUrl, 10001);
}, 60_000);

afterAll(async () => {
  for (const s of held) s.destroy();
  await cluster?.stop();
});

const portOf = (url: string) => Number(new URL(url.replace(/^ws/, 'http')).port);

/** A connection to `port` that sends `first` (if any) and then nothing, reading what comes. */
function hold(port: number, first?: string): Promise<void> {
  return new Promise(resolve => {
    const s = connect(port, '127.0.0.1', () => {
      if (first) s.write(first);
      resolve();
    });
    s.on('data', () => undefined);
    s.on('error', () => undefined);
    held.push(s);
  });
}

function terminate(s: ServiceProcess): Promise<{ code: number | null; ms: number }> {
  const started = Date.now();
  return new Promise(resolve => {
    s.child.once('exit', code => resolve({ code, ms: Date.now() - started }));
    s.child.kill('SIGTERM');
  });
}

it('every service stops cleanly and quickly however its clients hold on', async () => {
  const request = 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n';
  const ports = [portOf(cluster.simulatorUrl), portOf(cluster.httpUrl), portOf(cluster.wsUrl)];
  for (const s of cluster.services) if (s.ready.admin) ports.push(Number(s.ready.admin));
  for (const port of ports) {
    await hold(port);
    await hold(port, request);
  }
  // A WebSocket client of the gateway that reads nothing and never answers a close frame.
  await hold(
    portOf(cluster.wsUrl),
    'GET /10001/ HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  await new Promise(r => setTimeout(r, 300));
  for (const s of [...cluster.services].reverse()) {
    const { code, ms } = await terminate(s);
    expect({ service: s.name, code }).toEqual({ service: s.name, code: 0 });
    expect(ms, s.name).toBeLessThan(5_000);
  }
});
