/**
 * The gateway's transports against the real cluster (operator token set): go-cqhttp's HTTP
 * status codes and parameter sources, `_async` / `_rate_limited`, forward-WS roles, echo and
 * bad frames, and actions owned by history and media.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimControl } from '@cqfleet/sim-client';
import { OneBotWs, startTestCluster, type TestCluster, waitFor } from '@cqfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TOKEN = 'op-token';
let cluster: TestCluster;
let base: string;
let files: Server;
let filesUrl: string;

const auth = { authorization: `Bearer ${TOKEN}` };

async function get(path: string, headers: Record<string, string> = auth) {
  const res = await fetch(`${base}${path}`, { headers });
  return { status: res.status, body: await res.text() };
}

async function post(
  path: string,
  body: string,
  type: string,
  headers: Record<string, string> = auth,
) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': type, ...headers },
    body,
  });
  return { status: res.status, body: await res.text() };
}

const json = (r: { body: string }) => JSON.parse(r.body) as Record<string, unknown>;

beforeAll(async () => {
  cluster = await startTestCluster({ accessToken: TOKEN });
  base = cluster.httpUrl;
  files = createServer((req, res) => {
    if (req.url === '/hello.txt') return res.end('hello from a local file server');
    if (req.url === '/redirect') {
      res.writeHead(302, { location: '/hello.txt' });
      return res.end();
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>(r => files.listen(0, '127.0.0.1', r));
  filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  await waitFor(
    async () => (json(await get('/10002/get_login_info')).status === 'ok' ? true : undefined),
    15_000,
    'accounts online',
  );
});

afterAll(async () => {
  files?.close();
  await cluster?.stop();
});

describe('HTTP API - status codes', () => {
  it('401 without a token, 403 with a wrong one, 200 with any scheme word or the query', async () => {
    expect((await get('/10001/get_login_info', {})).status).toBe(401);
    expect((await get('/10001/get_login_info', { authorization: 'Bearer wrong' })).status).toBe(
      403,
    );
    expect((await get('/10001/get_login_info', { authorization: `Token ${TOKEN}` })).status).toBe(
      200,
    );
    expect((await get(`/10001/get_login_info?access_token=${TOKEN}`, {})).status).toBe(200);
  });

  it('400 for a bad JSON body, once authenticated (the token comes before the body)', async () => {
    expect((await post('/10001/get_login_info', '{bad', 'application/json')).status).toBe(400);
    expect((await post('/10001/get_login_info', '{bad', 'application/json', {})).status).toBe(401);
  });

  it('404 with an empty body for other methods', async () => {
    const res = await fetch(`${base}/10001/get_login_info`, { method: 'PUT', headers: auth });
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('');
  });

  it('an unknown action is HTTP 200 with retcode 404; bodies end with a newline', async () => {
    const r = await get('/10001/no_such_action');
    expect(r.status).toBe(200);
    expect(r.body.endsWith('\n')).toBe(true);
    expect(json(r)).toEqual({
      data: null,
      message: 'API不存在',
      msg: 'API_NOT_FOUND',
      retcode: 404,
      status: 'failed',
      wording: 'API不存在',
    });
  });
});

describe('HTTP API - where actions and parameters come from', () => {
  it('POST / with {action, params}, and a trailing slash on /:action', async () => {
    const r = await post(
      '/10001/',
      JSON.stringify({ action: 'get_group_info', params: { group_id: 100100 } }),
      'application/json',
    );
    expect(json(r)).toMatchObject({
      status: 'ok',
      data: { group_id: 100100, group_name: 'cqfleet demo' },
    });
    expect(json(await get('/10001/get_group_info/?group_id=100100'))).toMatchObject({
      status: 'ok',
    });
  });

  it('form and query values are coerced, JSON-looking values are JSON', async () => {
    const form = await post(
      '/10001/get_group_member_info',
      'group_id=100100&user_id=20001',
      'application/x-www-form-urlencoded',
    );
    expect(json(form)).toMatchObject({
      status: 'ok',
      data: { user_id: 20001, role: 'admin', level: '45' },
    });
    const msg = encodeURIComponent(
      JSON.stringify([{ type: 'text', data: { text: 'array via GET' } }]),
    );
    const sent = json(await get(`/10001/send_group_msg?group_id=100100&message=${msg}`));
    expect(sent).toMatchObject({ status: 'ok' });
    const last = (await new SimControl(cluster.simulatorUrl).groupMessages(100100, 1))[0];
    expect(last).toMatchObject({ message: 'array via GET', sender_id: 10001 });
  });

  it('the JSON body wins over the query', async () => {
    const r = await post(
      '/10001/get_group_info?group_id=1',
      JSON.stringify({ group_id: 100100 }),
      'application/json',
    );
    expect(json(r)).toMatchObject({ status: 'ok', data: { group_id: 100100 } });
  });

  it('bad parameter types get INVALID_PARAMS naming the field', async () => {
    expect(json(await get('/10001/get_group_info?group_id=abc'))).toMatchObject({
      retcode: 100,
      msg: 'INVALID_PARAMS',
      wording: expect.stringContaining('group_id'),
    });
  });
});

describe('HTTP API - _async and _rate_limited', () => {
  it('_async answers status async at once and runs the action', async () => {
    const text = `async ${Date.now()}`;
    expect(
      json(
        await get(
          `/10001/send_group_msg_async?group_id=100100&message=${encodeURIComponent(text)}`,
        ),
      ),
    ).toEqual({
      data: null,
      message: '',
      retcode: 1,
      status: 'async',
    });
    const sim = new SimControl(cluster.simulatorUrl);
    await waitFor(
      async () =>
        (await sim.groupMessages(100100, 5)).some(m => m.message === text) ? true : undefined,
      5_000,
      'async send',
    );
  });

  it('_rate_limited queues calls and runs them in order', async () => {
    const tag = `rl ${Date.now()}`;
    for (const n of [1, 2, 3])
      expect(
        json(
          await get(
            `/10001/send_group_msg_rate_limited?group_id=100100&message=${encodeURIComponent(`${tag} ${n}`)}`,
          ),
        ),
      ).toMatchObject({ status: 'async' });
    const sim = new SimControl(cluster.simulatorUrl);
    const seen = await waitFor(
      async () => {
        const mine = (await sim.groupMessages(100100, 20)).filter(m => m.message.startsWith(tag));
        return mine.length === 3 ? mine : undefined;
      },
      5_000,
      'rate-limited sends',
    );
    expect(seen.map(m => m.message)).toEqual([`${tag} 1`, `${tag} 2`, `${tag} 3`]);
  });
});

describe('forward WebSocket', () => {
  const wsUrl = (path: string) => `${cluster.wsUrl}${path}?access_token=${TOKEN}`;

  it('refuses the upgrade without a token', async () => {
    await expect(OneBotWs.connect(`${cluster.wsUrl}/10001/`)).rejects.toThrow(/401/);
  });

  it('/api: no lifecycle, answers with echo of any JSON type; bad frames get a failure', async () => {
    const ws = await OneBotWs.connect(wsUrl('/10001/api'));
    const frames: unknown[] = [];
    ws.ws.on('message', d => frames.push(JSON.parse(d.toString())));
    for (const echo of [7, 'seven', { n: [7] }, null])
      ws.ws.send(JSON.stringify({ action: 'get_login_info', echo }));
    ws.ws.send('not json');
    ws.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await waitFor(() => (frames.length >= 5 ? true : undefined), 5_000, 'replies');
    expect(ws.events).toHaveLength(0);
    const echoes = frames
      .filter(f => (f as { status: string }).status === 'ok')
      .map(f => (f as { echo: unknown }).echo);
    expect(echoes).toEqual(expect.arrayContaining([7, 'seven', { n: [7] }, null]));
    const bad = frames.find(f => (f as { status: string }).status === 'failed') as Record<
      string,
      unknown
    >;
    expect(bad).toMatchObject({ retcode: 100, msg: 'INVALID_PARAMS' });
    expect('echo' in bad).toBe(false);
    await ws.close();
  });

  it('/event: lifecycle first, events, requests are not answered', async () => {
    const ws = await OneBotWs.connect(wsUrl('/10002/event'));
    expect((await ws.waitForEvent(() => true)).meta_event_type).toBe('lifecycle');
    ws.ws.send(JSON.stringify({ action: 'get_login_info', echo: 1 }));
    const said = await new SimControl(cluster.simulatorUrl).sendPrivateMsg(20001, 10002, 'psst');
    const ev = await ws.waitForEvent(e => e.message_id === said.message_id);
    expect(ev).toMatchObject({
      post_type: 'message',
      message_type: 'private',
      sub_type: 'friend',
      user_id: 20001,
      target_id: 10002,
      message: 'psst',
    });
    await new Promise(r => setTimeout(r, 200));
    expect(ws.events.every(e => 'post_type' in e)).toBe(true);
    await ws.close();
  });

  it('a universal socket does not see its own sends unless self-reporting is on', async () => {
    const ws = await OneBotWs.connect(wsUrl('/10001/'));
    const sent = await ws.call<{ message_id: number }>('send_group_msg', {
      group_id: 100100,
      message: 'mine',
    });
    expect(sent.status).toBe('ok');
    await new Promise(r => setTimeout(r, 300));
    expect(ws.events.some(e => e.post_type === 'message_sent')).toBe(false);
    await ws.close();
  });
});

describe('owners other than the session', () => {
  it('get_supported_actions comes from the action table', async () => {
    const r = json(await get('/10001/get_supported_actions'));
    expect(r.data).toEqual(expect.arrayContaining(['send_group_msg', 'get_msg', 'download_file']));
  });

  it('download_file goes through the media queue into the cache', async () => {
    const r = json(
      await get(`/10001/download_file?url=${encodeURIComponent(`${filesUrl}/redirect`)}`),
    );
    expect(r).toMatchObject({
      status: 'ok',
      data: { file: expect.stringMatching(/[0-9a-f]{32}\.cache$/) },
    });
    const { readFile } = await import('node:fs/promises');
    expect(await readFile((r.data as { file: string }).file, 'utf8')).toBe(
      'hello from a local file server',
    );
  });

  it('download_file refuses metadata addresses', async () => {
    const r = json(
      await get(
        `/10001/download_file?url=${encodeURIComponent('http://169.254.169.254/latest/meta-data')}`,
      ),
    );
    expect(r).toMatchObject({ status: 'failed', msg: 'FORBIDDEN_ADDRESS' });
  });
});
