/**
 * Properties of the client transports under random and adversarial input (issue 15, item 8):
 * whatever a client sends — any method, path, query, headers, body on HTTP; any text or binary
 * frame on WebSocket — nothing escapes as a thrown error, the server keeps serving, and every
 * answer is go-cqhttp's envelope or one of the documented status codes.
 */
import { request } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ALPHA, OP, type Running, startForwardWs, startHttpApi } from './in-process.js';
import { rawConnect } from './raw-socket.js';

let http: Running;
let wsServer: Running;
const escaped: unknown[] = [];
const onEscape = (err: unknown) => escaped.push(err);

beforeAll(async () => {
  process.on('uncaughtException', onEscape);
  process.on('unhandledRejection', onEscape);
  http = await startHttpApi({ maxBodyBytes: 256 * 1024 });
  wsServer = await startForwardWs();
});
afterAll(async () => {
  process.off('uncaughtException', onEscape);
  process.off('unhandledRejection', onEscape);
  await http?.close();
  await wsServer?.close();
});

/** go-cqhttp's envelope: ok, async or failed, with exactly its fields. */
function expectEnvelope(value: unknown): void {
  expect(value).toBeTypeOf('object');
  const v = value as Record<string, unknown>;
  expect(['ok', 'async', 'failed']).toContain(v.status);
  expect(v.retcode).toBeTypeOf('number');
  expect('data' in v).toBe(true);
  expect(v.message).toBeTypeOf('string');
  if (v.status === 'failed') {
    expect(v.msg).toBeTypeOf('string');
    expect(v.wording).toBeTypeOf('string');
    expect(v.data).toBeNull();
  }
}

// --- adversarial values -------------------------------------------------------------------

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
const nastyJson = fc.constantFrom(
  '{bad',
  '',
  'null',
  '"text"',
  '42',
  '[]',
  '[1,2,3]',
  '1e999',
  '{"group_id":123456789012345678901234567890}',
  '{"user_id":-1e308,"group_id":1e400}',
  '{"__proto__":{"polluted":true},"message":"x"}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"action":"send_msg","params":{"__proto__":{"polluted":true}}}',
  `{"message":${deep(5_000)}}`,
  `{"action":"get_status","params":${deep(5_000)}}`,
  '{"message":"\\ud800"}',
  '\u0000\u0001\u0002',
);
const body = fc.oneof(
  nastyJson,
  fc.json({ maxDepth: 4 }),
  fc.string({ maxLength: 200 }),
  fc.constant('x'.repeat(300 * 1024)), // over this server's 256 KiB cap
);
const visible = fc.stringMatching(/^[\x20-\x7e]{0,40}$/);
const action = fc.constantFrom(
  'get_login_info',
  'send_msg',
  'send_group_msg_rate_limited',
  'get_status_async',
  '.handle_quick_operation',
  'reload_event_filter',
  'clean_cache',
  'no_such_action',
  '__proto__',
  'constructor',
  '',
);
const path = fc.oneof(
  { arbitrary: fc.webPath(), weight: 1 },
  {
    arbitrary: fc
      .tuple(
        fc.constantFrom('', '/10001', '/10002', '/99999', '/0', '/184467440737095516150'),
        action,
      )
      .map(([prefix, a]) => `${prefix}/${encodeURIComponent(a)}`),
    weight: 4,
  },
  {
    arbitrary: fc.constantFrom('/', '//', '/10001/', '/%2e%2e/%2e%2e/etc/passwd', '/10001/%00'),
    weight: 1,
  },
);
const query = fc.dictionary(
  fc.oneof(
    fc.constantFrom('access_token', 'self_id', 'group_id', 'message', 'params', 'action'),
    fc.constantFrom('__proto__', 'constructor', 'toString'),
    fc.string({ maxLength: 8 }),
  ),
  fc.oneof(visible, nastyJson, fc.constantFrom(OP, ALPHA, '{"a":1}', '[1,2]')),
  { maxKeys: 5 },
);
// Mostly requests that get past the token (so routing is exercised), some that do not.
const headers = fc.record(
  {
    authorization: fc.oneof(
      { arbitrary: fc.constantFrom(`Bearer ${OP}`, `Token ${ALPHA}`, ALPHA), weight: 6 },
      { arbitrary: fc.constantFrom('Bearer', 'Bearer nope', ''), weight: 2 },
      { arbitrary: visible, weight: 1 },
    ),
    'content-type': fc.oneof(
      {
        arbitrary: fc.constantFrom(
          'application/json',
          'application/json; charset=utf-8',
          'application/x-www-form-urlencoded',
        ),
        weight: 4,
      },
      { arbitrary: fc.constantFrom('text/plain', 'multipart/form-data'), weight: 1 },
      { arbitrary: visible, weight: 1 },
    ),
    'x-self-id': fc.oneof(
      fc.constantFrom('10001', '10002', '-1', '1e3', '99999999999999999999'),
      visible,
    ),
  },
  { requiredKeys: [] },
);
const method = fc.oneof(
  { arbitrary: fc.constantFrom('GET', 'POST'), weight: 8 },
  { arbitrary: fc.constantFrom('PUT', 'DELETE', 'OPTIONS', 'PATCH', 'HEAD'), weight: 2 },
  { arbitrary: fc.stringMatching(/^[A-Z]{1,8}$/), weight: 1 },
);

function send(m: string, p: string, h: Record<string, string>, b: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: http.port, method: m, path: p, headers: h, agent: false },
      res => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
        );
        res.on('error', reject);
      },
    );
    // The server may answer and close before the body is sent (401, 413): that is allowed.
    req.on('error', reject);
    if (m !== 'GET' && m !== 'HEAD') req.end(b);
    else req.end();
  });
}

describe('HTTP API - properties', () => {
  it('any request gets an envelope or a documented status code, and the server keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(method, path, query, headers, body, async (m, p, q, h, b) => {
        const search = new URLSearchParams(q as Record<string, string>).toString();
        const r = await send(m, search ? `${p}?${search}` : p, h, b).catch(() => undefined);
        if (!r) return; // the connection was closed under a body the server refused to read
        // 431: headers (the request line included) over Node's 16 KiB.
        expect([200, 400, 401, 403, 404, 413, 431]).toContain(r.status);
        if (r.status === 200 || r.status === 401 || r.status === 403 || r.status === 413) {
          const parsed = JSON.parse(r.body) as Record<string, unknown>;
          expectEnvelope(parsed);
          if (r.status === 401) expect(parsed.msg).toBe('TOKEN_MISSING');
          if (r.status === 403) expect(parsed.msg).toBe('TOKEN_INVALID');
          if (r.status === 413) expect(parsed.msg).toBe('REQUEST_TOO_LARGE');
        } else expect(r.body).toBe('');
      }),
      { numRuns: 400 },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(escaped).toEqual([]);
    const alive = await send('GET', `/10001/get_login_info?access_token=${OP}`, {}, '');
    expect(JSON.parse(alive.body)).toMatchObject({ status: 'ok' });
  });

  it('arbitrary bytes on the socket get an HTTP status line or a closed connection', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constant(''),
          fc.constantFrom(
            'GET / HTTP/1.1\r\n',
            'POST /10001/send_msg HTTP/1.1\r\nContent-Length: 5\r\n',
          ),
        ),
        fc.uint8Array({ maxLength: 300 }),
        async (prefix, bytes) => {
          const conn = await rawConnect(http.port);
          conn.socket.end(Buffer.concat([Buffer.from(prefix), bytes]));
          const response = await conn.closed(5_000);
          if (response) expect(response).toMatch(/^HTTP\/1\.1 [1-5]\d\d /);
        },
      ),
      { numRuns: 150 },
    );
    expect(escaped).toEqual([]);
    const alive = await send('GET', `/10001/get_login_info?access_token=${OP}`, {}, '');
    expect(alive.status).toBe(200);
  });
});

// --- WebSocket ----------------------------------------------------------------------------

const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, 1e308, -0, '__proto__', [], {}),
);
const requestFrame = fc
  .record(
    { action: fc.oneof(action, anyValue), params: anyValue, echo: anyValue },
    { requiredKeys: [] },
  )
  .map(f => JSON.stringify(f));
const textFrame = fc.oneof(
  requestFrame,
  nastyJson,
  fc.string({ maxLength: 200 }),
  fc.constantFrom(`{"action":"get_status","echo":${deep(20_000)}}`, '{"__proto__":{"action":"x"}}'),
);
const frame = fc.oneof(
  textFrame.map(text => ({ binary: false as const, data: text })),
  fc.uint8Array({ maxLength: 200 }).map(data => ({ binary: true as const, data })),
);

describe('forward WS - properties', () => {
  it('any frame gets an envelope (binary: nothing); the socket stays open and serving', async () => {
    const ws = new WebSocket(`${wsServer.url}/10001/api`, {
      headers: { authorization: `Bearer ${OP}` },
    });
    await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
    const replies: string[] = [];
    const waiting: Array<() => void> = [];
    ws.on('message', d => (replies.push(d.toString()), waiting.shift()?.()));
    const next = () =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const take = () => resolve(JSON.parse(replies.shift()!) as Record<string, unknown>);
        if (replies.length > 0) return take();
        const timer = setTimeout(() => reject(new Error('no reply')), 5_000);
        waiting.push(() => (clearTimeout(timer), take()));
      });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(frame, async f => {
        ws.send(f.data, { binary: f.binary });
        if (!f.binary) {
          const reply = await next();
          expectEnvelope(reply);
          let sent: unknown;
          try {
            sent = JSON.parse(f.data);
          } catch {
            sent = undefined;
          }
          const echo = (sent as { echo?: unknown } | undefined)?.echo;
          if (typeof sent === 'object' && sent !== null && !Array.isArray(sent) && 'echo' in sent)
            if ('echo' in reply) expect(JSON.stringify(reply.echo)).toBe(JSON.stringify(echo));
        }
        // A binary frame is ignored: the next reply is this one's.
        const sentinel = `sentinel-${++n}`;
        ws.send(JSON.stringify({ action: 'get_login_info', echo: sentinel }));
        expect(await next()).toMatchObject({ status: 'ok', echo: sentinel });
      }),
      { numRuns: 300 },
    );
    expect(ws.readyState).toBe(ws.OPEN);
    expect(escaped).toEqual([]);
    ws.close();
  });
});
