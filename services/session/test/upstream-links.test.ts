/**
 * A forward link to an upstream is pinged, and cut off when its upstream does not answer the
 * last ping by the next: the link ends (the driver then reconnects and reports the account
 * offline meanwhile) instead of looking alive for ever.
 */
import type { AddressInfo } from 'node:net';
import { createLogger } from '@cqfleet/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { ForwardConnector } from '../src/upstream/links.js';

const log = createLogger('test', 'silent');
let server: WebSocketServer | undefined;

afterEach(async () => {
  for (const c of server?.clients ?? []) c.terminate();
  await new Promise(r => server?.close(r));
});

async function upstream(autoPong: boolean): Promise<string> {
  server = new WebSocketServer({ port: 0, host: '127.0.0.1', autoPong });
  await new Promise(r => server!.once('listening', r));
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('a forward upstream link', () => {
  it('is cut off when the upstream stops answering pings', async () => {
    const url = await upstream(false);
    const link = await new ForwardConnector(url, undefined, log, 1024, 100).connect(
      () => undefined,
      new AbortController().signal,
    );
    const ended = await Promise.race([
      link.closed.then(() => 'closed'),
      new Promise(r => setTimeout(() => r('still open'), 2_000)),
    ]);
    expect(ended).toBe('closed');
  });

  it('stays while the upstream answers', async () => {
    const url = await upstream(true);
    // Three pings, each with half a second to be answered (a loaded machine's stall is less).
    const link = await new ForwardConnector(url, undefined, log, 1024, 500).connect(
      () => undefined,
      new AbortController().signal,
    );
    const ended = await Promise.race([
      link.closed.then(() => 'closed'),
      new Promise(r => setTimeout(() => r('still open'), 1_700)),
    ]);
    expect(ended).toBe('still open');
    link.close();
    await link.closed;
  });

  it('is full once its upstream stops reading, and not before', async () => {
    const url = await upstream(true);
    const accepted = new Promise<{ _socket: { pause(): void } }>(r =>
      server!.once('connection', ws => r(ws as never)),
    );
    const link = await new ForwardConnector(url, undefined, log, 1024, 30_000, 64 * 1024).connect(
      () => undefined,
      new AbortController().signal,
    );
    expect(link.full?.()).toBe(false);
    (await accepted)._socket.pause();
    const frame = 'x'.repeat(256 * 1024);
    let sent = 0;
    for (; sent < 256 && !link.full!(); sent++) {
      link.send(frame);
      await new Promise(r => setImmediate(r));
    }
    expect(link.full!()).toBe(true);
    link.close();
    await link.closed;
  });
});
