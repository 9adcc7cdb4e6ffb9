/**
 * `_async` actions against hostile clients, in process with the real router: an `_async` call
 * is answered `async` at once, but its work counts against the transport's in-flight limit
 * until it is done, so a client looping `send_group_msg_async` cannot make the gateway start
 * work (and hold its parameters) without bound. On WebSocket the connection stops being read
 * (GATEWAY_WS_MAX_IN_FLIGHT); over HTTP an account's requests past GATEWAY_HTTP_MAX_IN_FLIGHT
 * are refused with RATE_LIMIT_QUEUE_FULL.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { OP, refused, type Running, startForwardWs, startHttpApi } from './in-process.js';
import { stubRouter } from './stub-router.js';

let server: Running | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const big = 'x'.repeat(16 * 1024);

describe('_async over forward WS', () => {
  it('an _async call stays in flight until its work is done: past GATEWAY_WS_MAX_IN_FLIGHT the connection is not read', async () => {
    const stub = stubRouter();
    server = await startForwardWs({ maxInFlight: 16 }, stub.router);
    const ws = new WebSocket(`${server.url}/10001/api`, {
      headers: { authorization: `Bearer ${OP}` },
    });
    await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
    const replies: Array<{ status?: string }> = [];
    ws.on('message', d => replies.push(JSON.parse(d.toString()) as { status?: string }));
    for (let i = 0; i < 500; i++)
      ws.send(
        JSON.stringify({
          action: 'send_group_msg_async',
          params: { group_id: 1, message: big },
          echo: i,
        }),
      );
    await sleep(300);
    // 16 started and answered `async`; the other 484 wait unread until work finishes.
    expect(stub.calls()).toBe(16);
    expect(replies).toHaveLength(16);
    expect(replies.every(r => r.status === 'async')).toBe(true);
    const deadline = Date.now() + 20_000;
    while (replies.length < 500 && Date.now() < deadline) {
      const batch = stub.held.splice(0);
      expect(batch.length).toBeLessThanOrEqual(16);
      for (const release of batch) release();
      await sleep(5);
    }
    expect(replies).toHaveLength(500);
    expect(stub.calls()).toBe(500);
    ws.close();
  });
});

describe('_async over HTTP', () => {
  it('an account with GATEWAY_HTTP_MAX_IN_FLIGHT unfinished requests gets RATE_LIMIT_QUEUE_FULL; other accounts do not', async () => {
    const stub = stubRouter();
    server = await startHttpApi({ maxInFlight: 8 }, stub.router);
    const before = await refused('too_many_in_flight');
    const send = (selfId: number) =>
      fetch(`${server!.url}/${selfId}/send_group_msg_async`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${OP}` },
        body: JSON.stringify({ group_id: 1, message: big }),
      }).then(r => r.json() as Promise<{ status: string; msg?: string; retcode: number }>);
    const answers = [];
    for (let i = 0; i < 20; i++) answers.push(await send(10001));
    expect(answers.filter(a => a.status === 'async')).toHaveLength(8);
    expect(answers.slice(8)).toEqual(
      Array(12).fill(
        expect.objectContaining({ status: 'failed', retcode: 100, msg: 'RATE_LIMIT_QUEUE_FULL' }),
      ),
    );
    // Only 8 actions were started; the refused ones never reached a worker.
    expect(stub.calls()).toBe(8);
    expect(await refused('too_many_in_flight')).toBe(before + 12);
    // Another account has its own bound.
    expect(await send(10002)).toMatchObject({ status: 'async' });
    // Once the work is done, the account is served again.
    for (const release of stub.held.splice(0)) release();
    await sleep(50);
    expect(await send(10001)).toMatchObject({ status: 'async' });
    for (const release of stub.held.splice(0)) release();
  });

  it('a stopping gateway drains _async work still running', async () => {
    const stub = stubRouter();
    server = await startHttpApi({}, stub.router);
    const res = await fetch(`${server.url}/10001/send_group_msg_async?access_token=${OP}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ group_id: 1, message: 'hi' }),
    });
    expect(await res.json()).toMatchObject({ status: 'async' });
    let drained = false;
    const draining = stub.router.drain(5_000).then(() => (drained = true));
    await sleep(100);
    expect(drained).toBe(false);
    for (const release of stub.held.splice(0)) release();
    await draining;
    expect(drained).toBe(true);
  });
});
