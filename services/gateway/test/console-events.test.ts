/**
 * The console's live event stream of one account (console/event-stream.ts), in process with a
 * stand-in hub: the admin token, NDJSON from the hub's frames, at most N streams, a slow reader
 * cut off, the hub subscription gone when the client goes or the gateway stops.
 */
import { createServer, get as httpGet, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@cqfleet/runtime';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventStreams } from '../src/console/event-stream.js';
import type { HubEvent, Listener } from '../src/events/event-hub.js';

const log = createLogger('test', 'silent');
const TOKEN = 'tok';

/** A hub that delivers what the test emits. */
class FakeHub {
  readonly listeners = new Map<number, Set<Listener>>();
  subscribe(uin: number, l: Listener): () => void {
    const set = this.listeners.get(uin) ?? new Set<Listener>();
    set.add(l);
    this.listeners.set(uin, set);
    return () => set.delete(l);
  }
  flushed(): Promise<void> {
    return Promise.resolve();
  }
  count(uin: number): number {
    return this.listeners.get(uin)?.size ?? 0;
  }
  emit(uin: number, body: object | Buffer): void {
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body) + '\n');
    const event = { selfId: uin, frame: () => bytes } as unknown as HubEvent;
    for (const l of this.listeners.get(uin) ?? []) l(event);
  }
}

let hub: FakeHub;
let streams: EventStreams;
let server: Server;
let base: string;

async function start(opts: { maxStreams?: number; maxBuffered?: number } = {}) {
  hub = new FakeHub();
  streams = new EventStreams({ hub, token: TOKEN, log, ...opts });
  const route = streams.route();
  server = createServer((req, res) => {
    void route(req, res, (req.url ?? '/').split('?')[0]!).then(answered => {
      if (!answered) res.writeHead(404).end();
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Opens a stream with node:http (so the test decides when to read). */
function open(path = '/console/api/accounts/10001/events', token = TOKEN) {
  return new Promise<IncomingMessage>((resolve, reject) => {
    httpGet(
      `${base}${path}`,
      { headers: token ? { authorization: `Bearer ${token}` } : {} },
      resolve,
    ).on('error', reject);
  });
}

const until = async (check: () => boolean, ms = 2_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise(resolve => setTimeout(resolve, 5));
  }
};

beforeEach(() => start());
afterEach(async () => {
  server.closeAllConnections();
  await new Promise(resolve => server.close(resolve));
});

describe('the console event stream', () => {
  it('needs the admin token and a GET', async () => {
    expect((await open(undefined, '')).statusCode).toBe(401);
    expect((await open(undefined, 'wrong')).statusCode).toBe(403);
    const post = await fetch(`${base}/console/api/accounts/10001/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(post.status).toBe(405);
    expect(hub.count(10001)).toBe(0);
  });

  it('is refused without a configured token', async () => {
    streams = new EventStreams({ hub, token: '', log });
    const route = streams.route();
    server.removeAllListeners('request');
    server.on('request', (req, res) => void route(req, res, req.url ?? '/'));
    const res = await open();
    expect(res.statusCode).toBe(403);
  });

  it('streams the account’s events as NDJSON until the client goes', async () => {
    const res = await open();
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    expect(hub.count(10001)).toBe(1);
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => (text += c));
    hub.emit(10001, { post_type: 'message', raw_message: 'one' });
    hub.emit(10002, { post_type: 'message', raw_message: 'not mine' });
    hub.emit(10001, { post_type: 'notice', notice_type: 'poke' });
    await until(() => text.split('\n').length >= 3);
    const lines = text
      .trim()
      .split('\n')
      .map(l => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map(l => l.post_type)).toEqual(['message', 'notice']);
    res.destroy();
    await until(() => hub.count(10001) === 0 && streams.size === 0);
  });

  it('opens at most N streams per gateway: the next is 429, a closed one frees its place', async () => {
    await new Promise(resolve => server.close(resolve));
    await start({ maxStreams: 2 });
    const a = await open();
    const b = await open('/console/api/accounts/10002/events');
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    const c = await open();
    expect(c.statusCode).toBe(429);
    let body = '';
    for await (const chunk of c) body += String(chunk);
    expect(JSON.parse(body)).toMatchObject({ error: { code: 'TOO_MANY_STREAMS' } });
    a.destroy();
    await until(() => streams.size === 1);
    const d = await open();
    expect(d.statusCode).toBe(200);
    b.destroy();
    d.destroy();
  });

  it('cuts off a reader that leaves too much unread, and lets go of the hub', async () => {
    await new Promise(resolve => server.close(resolve));
    await start({ maxBuffered: 64 * 1024 });
    const res = await open();
    res.pause(); // never reads
    const big = Buffer.from(
      JSON.stringify({ post_type: 'message', raw_message: 'x'.repeat(64 * 1024) }) + '\n',
    );
    const closed = new Promise(resolve => res.socket.once('close', resolve));
    for (let i = 0; i < 400 && streams.size > 0; i++) hub.emit(10001, big);
    expect(streams.size).toBe(0);
    expect(hub.count(10001)).toBe(0);
    await closed;
  });

  it('closes every stream when the gateway stops', async () => {
    const res = await open();
    const ended = new Promise(resolve => res.on('end', resolve));
    res.resume();
    streams.closeAll();
    await ended;
    await until(() => hub.count(10001) === 0 && streams.size === 0);
  });

  it('answers 400 for a uin out of range and leaves other paths alone', async () => {
    expect((await open('/console/api/accounts/0/events')).statusCode).toBe(400);
    expect((await open('/console/api/accounts/10001/other')).statusCode).toBe(404);
  });
});
