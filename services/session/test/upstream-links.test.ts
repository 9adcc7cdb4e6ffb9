/**
 * A forward link to an upstream is pinged, and cut off when its upstream does not answer the
 * last ping by the next: the link ends (the driver then reconnects and reports the account
 * offline meanwhile) instead of looking alive for ever. It is full (its actions refused) when
 * its upstream has stopped reading — nothing of its buffer written for the stall period, or
 * past the hard bound — never merely because one large frame is being read slowly.
 */
import type { AddressInfo } from 'node:net';
import { createLogger } from '@cqfleet/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { type BufferLimits, ForwardConnector, SendBacklog } from '../src/upstream/links.js';

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

  /** A link to a fresh upstream, and the server side of its socket. */
  async function linkWith(limits: BufferLimits) {
    const url = await upstream(true);
    const accepted = new Promise<{
      _socket: { pause(): void; resume(): void; bytesRead: number };
    }>(r => server!.once('connection', ws => r(ws as never)));
    const link = await new ForwardConnector(url, undefined, log, 1024, 30_000, limits).connect(
      () => undefined,
      new AbortController().signal,
    );
    return { link, peer: (await accepted)._socket };
  }
  const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
  const MiB = 1024 * 1024;

  it('is full once its upstream has read nothing for the stall period, not before', async () => {
    const { link, peer } = await linkWith({
      softBytes: 64 * 1024,
      hardBytes: 64 * MiB,
      stallMs: 300,
    });
    expect(link.full?.()).toBe(false);
    peer.pause();
    link.send('x'.repeat(4 * MiB));
    // Over the soft bound, but the upstream may be reading it yet.
    expect(link.full!()).toBe(false);
    await sleep(150);
    expect(link.full!()).toBe(false);
    await sleep(300);
    expect(link.full!()).toBe(true);
    // Reading again, it is not full.
    peer.resume();
    await sleep(100);
    expect(link.full!()).toBe(false);
    link.close();
    await link.closed;
  });

  it('is not full while a slow upstream reads one large frame', async () => {
    const { link, peer } = await linkWith({ softBytes: MiB, hardBytes: 64 * MiB, stallMs: 300 });
    peer.pause();
    link.send('x'.repeat(40 * MiB));
    // A slow link: the upstream reads for 2 ms every 100 ms, the frame takes seconds.
    const reader = setInterval(() => {
      peer.resume();
      setTimeout(() => peer.pause(), 2);
    }, 100);
    try {
      let over = 0;
      for (let n = 0; n < 15; n++) {
        await sleep(100);
        if (link.full!()) throw new Error(`full after ${(n + 1) * 100} ms while being read`);
        if (peer.bytesRead < 39 * MiB) over++;
      }
      // The frame was still being read for most of it (else the test proves nothing).
      expect(over).toBeGreaterThanOrEqual(5);
    } finally {
      clearInterval(reader);
      peer.resume();
    }
    link.close();
    await link.closed;
  });

  it('is full at once past the hard bound', async () => {
    const { link, peer } = await linkWith({ softBytes: MiB, hardBytes: 8 * MiB, stallMs: 60_000 });
    peer.pause();
    link.send('x'.repeat(4 * MiB));
    expect(link.full!()).toBe(false);
    for (let n = 0; n < 8 && !link.full!(); n++) link.send('x'.repeat(4 * MiB));
    expect(link.full!()).toBe(true);
    link.close();
    await link.closed;
  });
});

describe('SendBacklog', () => {
  const limits = { softBytes: 100, hardBytes: 1_000, stallMs: 10_000 };
  const clock = () => {
    const c = { t: 0, now: () => c.t };
    return c;
  };

  it('is not full while bytes leave, however long the buffer stays over the soft bound', () => {
    const c = clock();
    const b = new SendBacklog(limits, c.now);
    b.added(900);
    expect(b.full(900)).toBe(false);
    // Frames keep coming while the upstream reads: the buffer grows, yet bytes leave it.
    for (let buffered = 900, n = 0; n < 20; n++) {
      c.t += 5_000;
      b.added(50);
      buffered += 50 - 45;
      expect(b.full(buffered), `at ${c.t} ms`).toBe(false);
    }
  });

  it('is not full while the write in flight moves, the buffer unchanged', () => {
    const c = clock();
    const b = new SendBacklog(limits, c.now);
    b.added(900);
    for (let inFlight = 900, n = 0; n < 20; n++) {
      expect(b.full(900, inFlight)).toBe(false);
      c.t += 5_000;
      inFlight -= 40;
    }
  });

  it('is full once nothing left it for the stall period, and no more once something does', () => {
    const c = clock();
    const b = new SendBacklog(limits, c.now);
    b.added(500);
    expect(b.full(500, 500)).toBe(false);
    c.t += 9_999;
    b.added(10);
    expect(b.full(510, 500)).toBe(false);
    c.t += 1;
    expect(b.full(510, 500)).toBe(true);
    expect(b.full(510, 499)).toBe(false);
    // Under the soft bound it is never full, read or not.
    c.t += 60_000;
    expect(new SendBacklog(limits, c.now).full(100)).toBe(false);
  });

  it('is full at once past the hard bound', () => {
    const b = new SendBacklog(limits, () => 0);
    b.added(1_001);
    expect(b.full(1_001)).toBe(true);
  });
});
