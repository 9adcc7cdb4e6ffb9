/**
 * The forward-WebSocket port against hostile clients (issue 15, items 2 and 6), in process:
 * refused upgrades carry the envelope, oversized frames close the connection, an echo that
 * cannot be written back is answered without it, a client that stops reading its replies
 * is closed as a slow consumer, and one that sends faster than it is answered is no longer read.
 */
import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type ActionResponse, ok } from '@cqfleet/onebot';
import { ALPHA, OP, refused, type Running, startForwardWs } from './in-process.js';

let server: Running | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The status and JSON body of a refused upgrade. */
function refusal(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => reject(new Error('upgrade accepted')));
    ws.once('unexpected-response', (_req, res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: JSON.parse(Buffer.concat(chunks).toString()) as unknown,
        }),
      );
    });
    ws.once('error', () => undefined);
  });
}

function open(url: string, token = OP): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** The client's TCP socket, to stop reading from it. */
const socketOf = (ws: WebSocket) => (ws as unknown as { _socket: Socket })._socket;

const closed = (ws: WebSocket) =>
  new Promise<{ code: number; reason: string }>(resolve =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );

describe('forward WS - refused upgrades carry the envelope', () => {
  it('401 TOKEN_MISSING, 403 TOKEN_INVALID, 403 ACCOUNT_FORBIDDEN', async () => {
    server = await startForwardWs();
    const before = await refused('token_invalid');
    expect(await refusal(`${server.url}/10001/`)).toEqual({
      status: 401,
      body: expect.objectContaining({ status: 'failed', retcode: 1401, msg: 'TOKEN_MISSING' }),
    });
    expect(await refusal(`${server.url}/10001/api?access_token=nope`)).toEqual({
      status: 403,
      body: expect.objectContaining({
        status: 'failed',
        retcode: 1403,
        msg: 'TOKEN_INVALID',
        data: null,
        wording: expect.any(String),
        message: expect.any(String),
      }),
    });
    expect(await refused('token_invalid')).toBe(before + 1);
    expect(await refusal(`${server.url}/10002/`, { authorization: `Bearer ${ALPHA}` })).toEqual({
      status: 403,
      body: expect.objectContaining({ msg: 'ACCOUNT_FORBIDDEN' }),
    });
  });
});

describe('forward WS - frames', () => {
  it('a frame over GATEWAY_MAX_BODY_BYTES closes the connection with 1009', async () => {
    server = await startForwardWs({ maxBodyBytes: 64 * 1024 });
    const ws = await open(`${server.url}/10001/api`);
    const done = closed(ws);
    ws.send(JSON.stringify({ action: 'send_msg', params: { message: 'x'.repeat(100_000) } }));
    expect((await done).code).toBe(1009);
  });

  it('a frame nested too deep (its echo could not be written back) is answered without parsing it; the socket keeps serving', async () => {
    server = await startForwardWs();
    const ws = await open(`${server.url}/10001/api`);
    const frames: Array<Record<string, unknown>> = [];
    ws.on('message', d => frames.push(JSON.parse(d.toString()) as Record<string, unknown>));
    const deep = '['.repeat(20_000) + ']'.repeat(20_000);
    ws.send(`{"action":"get_login_info","echo":${deep}}`);
    ws.send(JSON.stringify({ action: 'get_login_info', echo: 'after' }));
    await expect.poll(() => frames.length, { timeout: 5_000 }).toBe(2);
    expect(frames).toContainEqual(
      expect.objectContaining({ status: 'failed', msg: 'REQUEST_TOO_LARGE' }),
    );
    expect(frames).toContainEqual(expect.objectContaining({ status: 'ok', echo: 'after' }));
    ws.close();
  });
});

describe('forward WS - time limits', () => {
  it('the headers and request timeouts do not cut an open connection', async () => {
    server = await startForwardWs({ headersTimeoutMs: 200, requestTimeoutMs: 300 });
    const ws = await open(`${server.url}/10001/api`);
    await new Promise(r => setTimeout(r, 1_200));
    const reply = new Promise<string>(resolve => ws.once('message', d => resolve(d.toString())));
    ws.send(JSON.stringify({ action: 'get_login_info', echo: 1 }));
    expect(JSON.parse(await reply)).toMatchObject({ status: 'ok', echo: 1 });
    ws.close();
  });
});

describe('forward WS - slow consumers', () => {
  it('a client that sends requests but stops reading the replies is closed 1008 "slow consumer"', async () => {
    server = await startForwardWs({ maxBuffered: 256 * 1024 });
    const before = await refused('slow_consumer');
    const ws = await open(`${server.url}/10001/api`);
    const done = closed(ws);
    // Stop reading: replies pile up in the kernel's buffers, then in the gateway's.
    socketOf(ws).pause();
    const echo = 'e'.repeat(64 * 1024);
    let sent = 0;
    // Up to 256 MB of replies if nothing stopped them; the gateway must stop far earlier.
    const pump = setInterval(() => {
      for (let i = 0; i < 50 && ws.readyState === ws.OPEN && sent < 4096; i++, sent++)
        ws.send(JSON.stringify({ action: 'get_login_info', echo }));
    }, 5);
    try {
      await expect
        .poll(async () => refused('slow_consumer'), { timeout: 15_000 })
        .toBeGreaterThan(before);
    } finally {
      clearInterval(pump);
    }
    socketOf(ws).resume();
    expect(await done).toEqual({ code: 1008, reason: 'slow consumer' });
  });
});

describe('forward WS - requests in flight', () => {
  it('past GATEWAY_WS_MAX_IN_FLIGHT unanswered requests the connection is no longer read, then resumes', async () => {
    const held: Array<() => void> = [];
    let calls = 0;
    // Each call waits until the test lets it go.
    const router = {
      call: () =>
        new Promise<ActionResponse>(resolve => {
          calls++;
          held.push(() => resolve(ok(null)));
        }),
    };
    server = await startForwardWs({ maxInFlight: 16 }, router);
    const ws = await open(`${server.url}/10001/api`);
    let answered = 0;
    ws.on('message', () => answered++);
    for (let i = 0; i < 2_000; i++) ws.send(JSON.stringify({ action: 'get_login_info', echo: i }));
    await new Promise(r => setTimeout(r, 300));
    // The gateway took 16 and left the rest unread, in the sockets' buffers.
    expect(calls).toBe(16);
    // As answers go out, it reads on, never more than 16 at a time, until all are answered.
    const deadline = Date.now() + 20_000;
    while (answered < 2_000 && Date.now() < deadline) {
      const batch = held.splice(0);
      expect(batch.length).toBeLessThanOrEqual(16);
      for (const release of batch) release();
      await new Promise(r => setTimeout(r, 5));
    }
    expect(answered).toBe(2_000);
    ws.close();
  });
});

describe('forward WS - connections of one account', () => {
  it('past GATEWAY_WS_MAX_CONNECTIONS_PER_ACCOUNT an upgrade is 429 RATE_LIMIT_QUEUE_FULL; other accounts are not held', async () => {
    const running = await startForwardWs({ maxPerAccount: 2 });
    server = running;
    const before = await refused('too_many_connections');
    const first = await open(`${server.url}/10001/api`);
    const second = await open(`${server.url}/10001/`);
    expect(
      await refusal(`${server.url}/10001/event`, { authorization: `Bearer ${OP}` }),
    ).toMatchObject({ status: 429, body: { retcode: 100, msg: 'RATE_LIMIT_QUEUE_FULL' } });
    expect(await refused('too_many_connections')).toBe(before + 1);
    const other = await open(`${server.url}/10002/api`);
    // A closed connection gives its slot back.
    const gone = closed(first);
    first.close();
    await gone;
    await expect
      .poll(async () => {
        const ws = await open(`${running.url}/10001/api`).catch(() => undefined);
        ws?.close();
        return ws !== undefined;
      })
      .toBe(true);
    second.close();
    other.close();
  });

  it('a handshake ws refuses (a bad Sec-WebSocket-Version) gives its slot back', async () => {
    const running = await startForwardWs({ maxPerAccount: 1 });
    server = running;
    const { port } = running;
    for (let i = 0; i < 3; i++) {
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () =>
          socket.write(
            'GET /10001/api HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
              `Authorization: Bearer ${OP}\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n` +
              'Sec-WebSocket-Version: 99\r\n\r\n',
          ),
        );
        let text = '';
        socket.on('data', d => (text += d.toString()));
        socket.on('close', () => resolve(text));
        socket.on('error', reject);
      });
      expect(answer).toMatch(/^HTTP\/1\.1 400/);
    }
    const ws = await open(`${running.url}/10001/api`);
    ws.close();
  });
});
