/**
 * Long polling (`get_updates`, GATEWAY_LONG_POLLING) against clients that go away, in process
 * with the real router and transports: a poll waiting forever (`timeout` 0) is removed when
 * its HTTP request closes or its WebSocket closes, takes no event with it, and an account's
 * waiting polls are bounded (GATEWAY_LONG_POLLING_MAX_WAITERS, then RATE_LIMIT_QUEUE_FULL);
 * an account's queue is bounded in bytes, and dropped once nobody polls it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { HubEvent, Listener } from '../src/events/event-hub.js';
import { LongPoll } from '../src/events/long-poll.js';
import { OP, refused, type Running, startForwardWs, startHttpApi } from './in-process.js';
import { stubRouter } from './stub-router.js';

let server: Running | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** An event hub with one account's events pushed by the test. */
function fakeHub() {
  const listeners = new Map<number, Listener>();
  return {
    subscribe: (selfId: number, listener: Listener) => {
      listeners.set(selfId, listener);
      return () => listeners.delete(selfId);
    },
    emit: (selfId: number, body: Record<string, unknown>) =>
      listeners.get(selfId)?.({
        selfId,
        view: () => body,
        frame: () => Buffer.from(JSON.stringify(body) + '\n'),
      } as unknown as HubEvent),
    subscribed: (selfId: number) => listeners.has(selfId),
  };
}

const LIMITS = { maxQueue: 2000, maxQueueBytes: 16 << 20, maxWaiters: 100, idleMs: 600_000 };

function setup(limits: Partial<typeof LIMITS> = {}) {
  const hub = fakeHub();
  const longPoll = new LongPoll(hub, 'string', { ...LIMITS, ...limits });
  return { hub, longPoll, ...stubRouter({ longPoll }) };
}

const poll = (url: string, signal?: AbortSignal) =>
  fetch(`${url}/10001/get_updates?timeout=0&access_token=${OP}`, { signal }).then(
    r => r.json() as Promise<{ status: string; msg?: string; data: unknown }>,
  );

describe('get_updates - clients that go away', () => {
  it('an HTTP poll waiting forever is removed when its request closes, and takes no event with it', async () => {
    const { hub, longPoll, router } = setup();
    server = await startHttpApi({}, router);
    const client = new AbortController();
    const gone = poll(server.url, client.signal).catch(() => 'aborted');
    await expect.poll(() => longPoll.waiting(10001)).toBe(1);
    client.abort();
    expect(await gone).toBe('aborted');
    await expect.poll(() => longPoll.waiting(10001), { timeout: 2_000 }).toBe(0);
    // The next event is kept for the next poll, not handed to the client that left.
    hub.emit(10001, { post_type: 'message', message_id: 7 });
    expect(await poll(server.url)).toMatchObject({
      status: 'ok',
      data: [{ post_type: 'message', message_id: 7 }],
    });
  });

  it('a WebSocket poll waiting forever is removed when the socket closes', async () => {
    const { longPoll, router } = setup();
    server = await startForwardWs({}, router);
    const ws = new WebSocket(`${server.url}/10001/api`, {
      headers: { authorization: `Bearer ${OP}` },
    });
    await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
    ws.send(JSON.stringify({ action: 'get_updates', params: { timeout: 0 } }));
    await expect.poll(() => longPoll.waiting(10001)).toBe(1);
    ws.close();
    await expect.poll(() => longPoll.waiting(10001), { timeout: 2_000 }).toBe(0);
  });
});

describe('get_updates - waiters per account', () => {
  it('past GATEWAY_LONG_POLLING_MAX_WAITERS a poll is refused at once with RATE_LIMIT_QUEUE_FULL', async () => {
    const { hub, longPoll, router } = setup({ maxWaiters: 2 });
    server = await startHttpApi({}, router);
    const before = await refused('long_poll_waiters_full');
    const waiting = [poll(server.url), poll(server.url)];
    await expect.poll(() => longPoll.waiting(10001)).toBe(2);
    expect(await poll(server.url)).toMatchObject({
      status: 'failed',
      retcode: 100,
      msg: 'RATE_LIMIT_QUEUE_FULL',
    });
    expect(await refused('long_poll_waiters_full')).toBe(before + 1);
    hub.emit(10001, { post_type: 'notice' });
    const answers = await Promise.all(waiting);
    expect(answers.every(a => a.status === 'ok')).toBe(true);
    await sleep(10);
    expect(longPoll.waiting(10001)).toBe(0);
  });
});

describe('get_updates - what a queue holds', () => {
  const big = (n: number) => ({
    post_type: 'message',
    message_id: n,
    raw_message: 'x'.repeat(1000),
  });

  it('keeps at most GATEWAY_LONG_POLLING_MAX_QUEUE_BYTES of events, the newest', async () => {
    const { hub, longPoll } = setup({ maxQueueBytes: 3500 });
    expect(await longPoll.take(10001, 0, 0.01)).toEqual([]);
    for (let i = 0; i < 100; i++) hub.emit(10001, big(i));
    const queued = longPoll.queued(10001)!;
    expect(queued.events).toBe(3);
    expect(queued.bytes).toBeLessThanOrEqual(3500);
    const events = (await longPoll.take(10001, 0, 1)) as Array<{ message_id: number }>;
    expect(events.map(e => e.message_id)).toEqual([97, 98, 99]);
    expect(longPoll.queued(10001)).toEqual({ events: 0, bytes: 0 });
    // One event larger than the bound is still kept: a poll always gets the newest.
    hub.emit(10001, { post_type: 'message', raw_message: 'y'.repeat(5000) });
    expect(longPoll.queued(10001)!.events).toBe(1);
  });

  it('a queue nobody polls for GATEWAY_LONG_POLLING_IDLE_MS is dropped at the next event', async () => {
    const { hub, longPoll } = setup({ idleMs: 50 });
    expect(await longPoll.take(10001, 0, 0.01)).toEqual([]);
    hub.emit(10001, big(1));
    expect(longPoll.queued(10001)!.events).toBe(1);
    await sleep(80);
    hub.emit(10001, big(2));
    expect(longPoll.queued(10001)).toBeUndefined();
    expect(hub.subscribed(10001)).toBe(false);
    // A client that comes back starts a new queue.
    const next = longPoll.take(10001, 0, 1);
    hub.emit(10001, big(3));
    expect(await next).toEqual([big(3)]);
  });

  it("a quiet account's idle queue is dropped by another account's poll", async () => {
    const { hub, longPoll } = setup({ idleMs: 50 });
    expect(await longPoll.take(10001, 0, 0.01)).toEqual([]);
    hub.emit(10001, big(1));
    await sleep(80);
    // 10001 has no next event; a poll of 10002 sweeps its queue away.
    expect(await longPoll.take(10002, 0, 0.01)).toEqual([]);
    expect(longPoll.queued(10001)).toBeUndefined();
    expect(hub.subscribed(10001)).toBe(false);
    expect(longPoll.queued(10002)).toEqual({ events: 0, bytes: 0 });
  });

  it('a poll waiting keeps its queue however long it waits', async () => {
    const { hub, longPoll } = setup({ idleMs: 50 });
    const waiting = longPoll.take(10001, 0, 0);
    await sleep(80);
    hub.emit(10001, big(4));
    expect(await waiting).toEqual([big(4)]);
  });
});
