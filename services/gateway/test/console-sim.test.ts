/**
 * The console's demo-chat proxy (console/sim-proxy.ts, sim-schemas.ts), in process against a
 * stand-in simulator: what the page may send (text, face, one base64 image of at most 5 MiB),
 * what of the simulator's answers is passed on, its refusals, a simulator that is away, and a
 * gateway without one (404 SIMULATOR_NOT_CONFIGURED).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createLogger } from '@cqfleet/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { SimProxy } from '../src/console/sim-proxy.js';
import { type SimConsole, startSimConsole } from './console-sim-support.js';
import { MAX_IMAGE_BASE64, SendGroupBody, SimMessage } from '../src/console/sim-schemas.js';

const log = createLogger('test', 'silent');
const TOKEN = 'tok';

describe('GATEWAY_SIMULATOR_URL', () => {
  it('is absent by default, an http(s) URL without its trailing slash when set', () => {
    expect(loadConfig({}).simulatorUrl).toBeUndefined();
    expect(loadConfig({ GATEWAY_SIMULATOR_URL: 'http://127.0.0.1:5900/' }).simulatorUrl).toBe(
      'http://127.0.0.1:5900',
    );
    expect(() => loadConfig({ GATEWAY_SIMULATOR_URL: 'file:///etc' })).toThrow(
      /GATEWAY_SIMULATOR_URL/,
    );
    expect(() => loadConfig({ GATEWAY_SIMULATOR_URL: 'not a url' })).toThrow(
      /GATEWAY_SIMULATOR_URL/,
    );
  });
});

describe('demo chat messages', () => {
  const ok = (message: unknown) => SimMessage.safeParse(message).success;

  it('take text, faces and one base64 image', () => {
    expect(ok([{ type: 'text', data: { text: 'hi' } }])).toBe(true);
    expect(
      ok([
        { type: 'face', data: { id: 14 } },
        { type: 'face', data: { id: '179' } },
      ]),
    ).toBe(true);
    expect(ok([{ type: 'image', data: { file: 'base64://iVBORw0KGgo=' } }])).toBe(true);
    expect(SimMessage.parse([{ type: 'face', data: { id: 14 } }])).toEqual([
      { type: 'face', data: { id: '14' } },
    ]);
  });

  it('refuse anything else', () => {
    expect(ok([])).toBe(false);
    expect(ok('a CQ string')).toBe(false);
    expect(ok([{ type: 'text', data: { text: '' } }])).toBe(false);
    expect(ok([{ type: 'at', data: { qq: 'all' } }])).toBe(false);
    expect(ok([{ type: 'record', data: { file: 'base64://AAAA' } }])).toBe(false);
    // No URL, file path or anything the simulator would fetch.
    expect(ok([{ type: 'image', data: { file: 'http://169.254.169.254/x' } }])).toBe(false);
    expect(ok([{ type: 'image', data: { file: 'file:///etc/passwd' } }])).toBe(false);
    expect(ok([{ type: 'image', data: { file: 'base64://AA AA' } }])).toBe(false);
    // Extra fields are refused, not passed on.
    expect(ok([{ type: 'image', data: { file: 'base64://AAAA', url: 'http://x' } }])).toBe(false);
    expect(ok([{ type: 'face', data: { id: '12345' } }])).toBe(false);
    expect(ok([{ type: 'face', data: { id: -1 } }])).toBe(false);
  });

  it('are bounded: one image of at most 5 MiB, 4,500 characters, 50 segments', () => {
    const image = (n: number) => ({ type: 'image', data: { file: `base64://${'A'.repeat(n)}` } });
    expect(ok([image(MAX_IMAGE_BASE64)])).toBe(true);
    expect(ok([image(MAX_IMAGE_BASE64 + 4)])).toBe(false);
    expect(ok([image(8), image(8)])).toBe(false);
    const text = (n: number) => ({ type: 'text', data: { text: 'x'.repeat(n) } });
    expect(ok([text(4500)])).toBe(true);
    expect(ok([text(3000), text(3000)])).toBe(false);
    expect(ok(Array.from({ length: 51 }, () => text(1)))).toBe(false);
  });

  it('name their chat with a positive id', () => {
    const message = [{ type: 'text', data: { text: 'hi' } }];
    expect(SendGroupBody.safeParse({ group_id: 100100, message }).success).toBe(true);
    expect(SendGroupBody.safeParse({ group_id: -1, message }).success).toBe(false);
    expect(SendGroupBody.safeParse({ group_id: '100100', message }).success).toBe(false);
    expect(SendGroupBody.safeParse({ group_id: 1, message, extra: 1 }).success).toBe(false);
  });
});

describe('the simulator proxy', () => {
  let running: SimConsole;
  let base: string;
  /** What the stand-in simulator was asked: method, path, body. */
  const seen: Array<[string, string, unknown]> = [];

  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const simulator = async (req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    for await (const c of req) raw += String(c);
    const url = req.url ?? '/';
    seen.push([req.method ?? '', url, raw ? (JSON.parse(raw) as unknown) : undefined]);
    if (url === '/world')
      return answer(res, 200, {
        epoch: 'e',
        accounts: [{ user_id: 10001, online: true }],
        groups: [{ group_id: 100100, group_name: 'demo', members: 3 }],
      });
    if (url === '/groups/100100/members')
      return answer(res, 200, {
        members: [
          { user_id: 10001, nickname: 'bot', card: '', role: 'owner', extra: 1 },
          { user_id: 20001, nickname: 'Alice', card: 'A', role: 'admin' },
        ],
      });
    if (url === '/people/20001/send_group_msg') {
      const body = JSON.parse(raw) as { group_id: number };
      if (body.group_id !== 100100)
        return answer(res, 404, { error: { code: 'GROUP_NOT_FOUND', message: 'no group' } });
      return answer(res, 200, { seq: 7, time: 1, message_id: 42 });
    }
    if (url.startsWith('/groups/100100/messages'))
      return answer(res, 200, {
        messages: [
          {
            seq: 7,
            message_id: 42,
            time: 1,
            sender_id: 20001,
            group_id: 100100,
            recalled: false,
            message: 'hi',
            elements: [{ type: 'text', data: { text: 'hi' } }],
          },
        ],
      });
    if (url.startsWith('/groups/666/messages')) return answer(res, 200, { messages: 'nope' });
    answer(res, 500, { error: { code: 'INTERNAL', message: 'boom' } });
  };

  beforeAll(async () => {
    running = await startSimConsole((req, res) => void simulator(req, res), {
      token: TOKEN,
      timeoutMs: 1_000,
    });
    base = running.base;
  });

  afterAll(() => running.stop());

  const req = async (method: string, path: string, body?: unknown, token = TOKEN) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('needs the admin token', async () => {
    expect((await req('GET', '/console/api/sim/world', undefined, '')).status).toBe(401);
  });

  it('lists the world: accounts, groups, and the people of those groups', async () => {
    const { status, body } = await req('GET', '/console/api/sim/world');
    expect(status).toBe(200);
    expect(body).toEqual({
      accounts: [{ user_id: 10001, online: true }],
      groups: [{ group_id: 100100, group_name: 'demo', members: 3 }],
      people: [{ user_id: 20001, nickname: 'Alice', groups: [100100] }],
    });
  });

  it('sends a validated message as a person, and passes the simulator’s refusal on', async () => {
    const message = [
      { type: 'text', data: { text: 'hi ' } },
      { type: 'face', data: { id: 14 } },
    ];
    const sent = await req('POST', '/console/api/sim/people/20001/send_group_msg', {
      group_id: 100100,
      message,
    });
    expect(sent).toEqual({ status: 200, body: { seq: 7, time: 1, message_id: 42 } });
    expect(seen.at(-1)).toEqual([
      'POST',
      '/people/20001/send_group_msg',
      { group_id: 100100, message: [message[0], { type: 'face', data: { id: '14' } }] },
    ]);
    const refused = await req('POST', '/console/api/sim/people/20001/send_group_msg', {
      group_id: 1,
      message,
    });
    expect(refused).toMatchObject({ status: 404, body: { error: { code: 'GROUP_NOT_FOUND' } } });
  });

  it('refuses an invalid body before the simulator hears of it', async () => {
    const before = seen.length;
    const bad = await req('POST', '/console/api/sim/people/20001/send_group_msg', {
      group_id: 100100,
      message: [{ type: 'image', data: { file: 'http://example.com/a.png' } }],
    });
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'INVALID_MESSAGE' } } });
    const notJson = await req('POST', '/console/api/sim/people/20001/send_group_msg', '{');
    expect(notJson).toMatchObject({ status: 400, body: { error: { code: 'BAD_JSON' } } });
    const tooLarge = await req('POST', '/console/api/sim/people/20001/send_group_msg', {
      group_id: 100100,
      message: [{ type: 'image', data: { file: `base64://${'A'.repeat(8 * 1024 * 1024)}` } }],
    });
    expect(tooLarge).toMatchObject({ status: 413, body: { error: { code: 'TOO_LARGE' } } });
    expect((await req('GET', '/console/api/sim/people/20001/send_group_msg')).status).toBe(405);
    expect((await req('GET', '/console/api/sim/groups/100100/messages?limit=0')).status).toBe(400);
    expect((await req('GET', '/console/api/sim/people/0/friends')).status).toBe(400);
    expect((await req('GET', '/console/api/sim/anything')).status).toBe(404);
    expect(seen.length).toBe(before);
  });

  it('reads a chat, passing on only what the schema knows', async () => {
    const { status, body } = await req('GET', '/console/api/sim/groups/100100/messages?limit=500');
    expect(status).toBe(200);
    expect(seen.at(-1)?.[1]).toBe('/groups/100100/messages?limit=200');
    const messages = body.messages as Array<Record<string, unknown>>;
    expect(messages[0]).toMatchObject({ seq: 7, sender_id: 20001, elements: [{ type: 'text' }] });
    expect(messages[0]).not.toHaveProperty('message');
  });

  it('answers 502 when the simulator fails or answers nonsense', async () => {
    const failed = await req('GET', '/console/api/sim/groups/1/messages');
    expect(failed).toMatchObject({
      status: 502,
      body: { error: { code: 'SIMULATOR_UNAVAILABLE' } },
    });
    const nonsense = await req('GET', '/console/api/sim/groups/666/messages');
    expect(nonsense.status).toBe(502);
  });

  it('answers 404 SIMULATOR_NOT_CONFIGURED without a simulator URL', async () => {
    const { status, body } = await req('GET', '/nosim/console/api/sim/world');
    expect(status).toBe(404);
    expect(body).toMatchObject({ error: { code: 'SIMULATOR_NOT_CONFIGURED' } });
  });

  it('answers 502 when nobody listens at the simulator URL', async () => {
    const away = new SimProxy({ baseUrl: 'http://127.0.0.1:1', log, timeoutMs: 500 });
    await expect(away.world()).rejects.toMatchObject({ status: 502 });
  });
});
