/**
 * The HTTP API against hostile clients (issue 15, items 1 and 2), in process: the token is
 * checked before a byte of the body is read, the body has a cap answered with 413 and the
 * envelope, slow clients are cut off, and every refusal carries go-cqhttp's envelope.
 */
import { ok } from '@cqfleet/onebot';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { ALPHA, OP, refused, type Running, startHttpApi } from './in-process.js';
import { bodyOf, rawConnect } from './raw-socket.js';

let api: Running | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const MB = 1024 * 1024;
const envelope = (tag: string, retcode: number) => ({
  status: 'failed',
  retcode,
  msg: tag,
  data: null,
  wording: expect.any(String),
  message: expect.any(String),
});

describe('HTTP API - authentication before the body', () => {
  it('an unauthenticated 60 MB POST is answered 401 after its headers and closed; its body is never read', async () => {
    api = await startHttpApi();
    const before = await refused('token_missing');
    const conn = await rawConnect(api.port);
    conn.socket.write(
      `POST /10001/send_msg HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${60 * MB}\r\n\r\n`,
    );
    conn.socket.write(Buffer.alloc(MB, 0x20)); // 1 MB of the promised 60, and no more
    const response = await conn.closed(5_000);
    expect(response).toMatch(/^HTTP\/1\.1 401 /);
    expect(response.toLowerCase()).toContain('connection: close');
    expect(bodyOf(response)).toEqual(envelope('TOKEN_MISSING', 1401));
    expect(await refused('token_missing')).toBe(before + 1);
  });

  it('a wrong token is 403 with the TOKEN_INVALID envelope, before the body too', async () => {
    api = await startHttpApi();
    const conn = await rawConnect(api.port);
    conn.socket.write(
      `POST /10001/get_login_info HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer nope\r\nContent-Type: application/json\r\nContent-Length: ${10 * MB}\r\n\r\n{`,
    );
    const response = await conn.closed(5_000);
    expect(response).toMatch(/^HTTP\/1\.1 403 /);
    expect(bodyOf(response)).toEqual(envelope('TOKEN_INVALID', 1403));
  });

  it('GET: 401 and 403 carry the envelope; a bad JSON body is 400 only once authenticated', async () => {
    api = await startHttpApi();
    const missing = await fetch(`${api.url}/10001/get_login_info`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual(envelope('TOKEN_MISSING', 1401));
    const wrong = await fetch(`${api.url}/10001/get_login_info?access_token=nope`);
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toEqual(envelope('TOKEN_INVALID', 1403));
    const post = (headers: Record<string, string>) =>
      fetch(`${api!.url}/10001/get_login_info`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: '{bad',
      });
    expect((await post({})).status).toBe(401);
    expect((await post({ authorization: `Bearer ${OP}` })).status).toBe(400);
    expect((await post({ authorization: `Token ${ALPHA}` })).status).toBe(400);
  });
});

describe('HTTP API - the body cap', () => {
  it('the default cap takes a 30 MB image sent as base64', async () => {
    expect(loadConfig({}).maxBodyBytes).toBeGreaterThanOrEqual(42 * 1000 * 1000);
    api = await startHttpApi({ maxBodyBytes: loadConfig({}).maxBodyBytes });
    const image = Buffer.alloc(30 * MB, 7).toString('base64');
    const res = await fetch(`${api.url}/10001/send_msg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${OP}` },
      body: JSON.stringify({ group_id: 1, message: `[CQ:image,file=base64://${image}]` }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', data: { action: 'send_msg' } });
  });

  it('a Content-Length over the cap is 413 REQUEST_TOO_LARGE at once, without reading the body', async () => {
    api = await startHttpApi({ maxBodyBytes: MB });
    const before = await refused('body_too_large');
    const conn = await rawConnect(api.port);
    conn.socket.write(
      `POST /10001/send_msg HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${OP}\r\nContent-Type: application/json\r\nContent-Length: ${100 * MB}\r\n\r\n{"message":"`,
    );
    const response = await conn.closed(5_000);
    expect(response).toMatch(/^HTTP\/1\.1 413 /);
    expect(bodyOf(response)).toEqual(envelope('REQUEST_TOO_LARGE', 100));
    expect(await refused('body_too_large')).toBe(before + 1);
  });

  it('a chunked body that grows past the cap is 413 and the connection closed; the rest is not taken in', async () => {
    api = await startHttpApi({ maxBodyBytes: MB });
    const conn = await rawConnect(api.port);
    conn.socket.write(
      `POST /10001/send_msg HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${OP}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
    );
    const chunk = Buffer.alloc(256 * 1024, 0x61);
    for (let i = 0; i < 6; i++)
      conn.socket.write(`${chunk.length.toString(16)}\r\n${chunk.toString('latin1')}\r\n`);
    // …and the client would go on sending; the answer comes without the body's end.
    const response = await conn.closed(5_000);
    expect(response).toMatch(/^HTTP\/1\.1 413 /);
    expect(bodyOf(response)).toMatchObject({ msg: 'REQUEST_TOO_LARGE' });
  });
});

describe('HTTP API - slow clients', () => {
  it('headers sent a byte at a time are cut off with 408 after the headers timeout', async () => {
    api = await startHttpApi({ headersTimeoutMs: 500, requestTimeoutMs: 1_000 });
    const before = await refused('request_timeout');
    const conn = await rawConnect(api.port);
    const head = `GET /10001/get_login_info HTTP/1.1\r\nHost: x\r\nX-Padding: ${'a'.repeat(200)}`;
    let i = 0;
    const drip = setInterval(() => {
      if (!conn.socket.destroyed && i < head.length) conn.socket.write(head[i++]!);
    }, 50);
    try {
      const response = await conn.closed(4_000);
      expect(response).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      clearInterval(drip);
    }
    expect(await refused('request_timeout')).toBeGreaterThan(before);
  });

  it('a body sent too slowly is cut off after the request timeout', async () => {
    api = await startHttpApi({ headersTimeoutMs: 500, requestTimeoutMs: 1_000 });
    const conn = await rawConnect(api.port);
    conn.socket.write(
      `POST /10001/get_login_info HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${OP}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`,
    );
    const drip = setInterval(() => {
      if (!conn.socket.destroyed) conn.socket.write(' ');
    }, 100);
    try {
      expect(await conn.closed(4_000)).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      clearInterval(drip);
    }
  });

  it('an answer that takes longer than the request timeout (long polling) is not cut', async () => {
    const slow = {
      call: async () => {
        await new Promise(r => setTimeout(r, 1_200));
        return ok(null);
      },
    };
    api = await startHttpApi({ headersTimeoutMs: 200, requestTimeoutMs: 300 }, slow);
    const res = await fetch(`${api.url}/10001/get_updates?access_token=${OP}`);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it('a connection that sends nothing is closed after the headers timeout', async () => {
    api = await startHttpApi({ headersTimeoutMs: 500, requestTimeoutMs: 1_000 });
    const conn = await rawConnect(api.port);
    await conn.closed(4_000);
  });
});

describe('HTTP API - bodies of one token together', () => {
  const request = (token: string, body: string) =>
    `POST /10001/get_login_info HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
  const body = (n: number) => `{"pad":"${'x'.repeat(n - 10)}"}`;
  /** The status of a whole request of `n` bytes of body. */
  const post = async (port: number, token: string, n: number) => {
    const conn = await rawConnect(port);
    const text = body(n);
    conn.socket.write(request(token, text) + text);
    const answer = await conn.waitFor('\r\n\r\n', 5_000);
    conn.socket.destroy();
    return Number(/^HTTP\/1\.1 (\d+)/.exec(answer)?.[1]);
  };

  it('past GATEWAY_HTTP_BODY_BYTES_PER_TOKEN being read, a request is 429 RATE_LIMIT_QUEUE_FULL; other tokens are not held', async () => {
    api = await startHttpApi({ bodyBytesPerToken: 3 * MB });
    const { port } = api;
    const before = await refused('body_budget_full');
    // Two uploads of the tenant's token, each 1.2 MB into a 1.5 MB body, and then silent.
    const slow = await Promise.all(
      [0, 1].map(async () => {
        const conn = await rawConnect(port);
        const text = body(1.5 * MB);
        conn.socket.write(request(ALPHA, text) + text.slice(0, 1.2 * MB));
        return { conn, rest: text.slice(1.2 * MB) };
      }),
    );
    // Once the server has taken those in, the token's next body does not fit.
    await expect.poll(() => post(port, ALPHA, 0.75 * MB), { timeout: 5_000 }).toBe(429);
    expect(await refused('body_budget_full')).toBeGreaterThan(before);
    const refusal = await rawConnect(port);
    const text = body(0.75 * MB);
    refusal.socket.write(request(ALPHA, text) + text);
    expect(bodyOf(await refusal.closed(5_000))).toEqual(envelope('RATE_LIMIT_QUEUE_FULL', 100));
    // The operator's token has a budget of its own.
    expect(await post(port, OP, MB / 2)).toBe(200);
    // The slow uploads finish, one after the other, and are answered; what they held is
    // given back.
    for (const { conn, rest } of slow) {
      conn.socket.write(rest);
      expect(await conn.waitFor('\r\n\r\n', 5_000)).toMatch(/^HTTP\/1\.1 200/);
    }
    expect(await post(port, ALPHA, 2 * MB)).toBe(200);
  });
});
