/**
 * Upstreams that connect in by reverse WebSocket (issue 9, point 1): the upstream is a client
 * of the front gateway's `/upstream`, and the gateway relays its socket over NATS to the
 * session worker owning the account (a separate process).
 *
 * - A second cqfleet cluster (the simulator behind it) as the upstream: its account has a
 *   reverse-WebSocket endpoint pointing at the front, as NapCat's "WebSocket client" would.
 * - A scripted upstream (a plain `ws` client here) for what a real cluster cannot show on
 *   demand: refused handshakes, frames over the NATS payload limit, a second socket replacing
 *   the first, the account going offline and back with its socket, and — like Lagrange, which
 *   has no `get_image` — an image fetched by cqfleet's media service from the URL its event gave.
 */
import { readFile } from 'node:fs/promises';
import type { ServiceProcess } from '@cqfleet/devcluster';
import {
  type FileServer,
  OneBotHttp,
  OneBotWs,
  registerAccounts,
  startFileServer,
  startTestCluster,
  type TestCluster,
  metricValue,
  scrapeMetrics,
  untilOnline,
  waitFor,
} from '@cqfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectReverse, messageFrame, text, upgrade } from './scripted-reverse.js';
import {
  GROUP,
  PERSON,
  sendThroughFront,
  speak,
  stored,
  upstreamWorld,
} from './upstream-support.js';

const UIN = 10001;
const SCRIPTED = 30002;
const FORWARD_ONLY = 30003;
const TOKEN = 'reverse-secret';
let front: TestCluster;
let upstream: TestCluster;
let files: FileServer;
/** Bytes of an image the scripted upstream's message names (any bytes: get_image only fetches). */
const PICTURE = Buffer.from('\x89PNG\r\n\x1a\n' + 'picture bytes '.repeat(100), 'latin1');

beforeAll(async () => {
  files = await startFileServer({ '/picture.png': PICTURE });
  // Two workers and two gateway replicas: the socket's replica, the caller's and the owner
  // are not the same process.
  front = await startTestCluster({ accounts: [], sessions: 2, gateways: 2 });
  await registerAccounts(front.options.namespace, [
    { uin: UIN, driver: 'onebot', options: { mode: 'reverse', token: TOKEN } },
    { uin: SCRIPTED, driver: 'onebot', options: { mode: 'reverse', token: TOKEN } },
    { uin: FORWARD_ONLY, driver: 'onebot', options: { url: 'ws://127.0.0.1:9/', token: TOKEN } },
  ]);
  const world = await upstreamWorld(UIN, 'reverse bot');
  upstream = await startTestCluster({
    world,
    accounts: [],
    env: { GATEWAY_REPORT_SELF_MESSAGE: 'true' },
  });
  await registerAccounts(upstream.options.namespace, [
    {
      uin: UIN,
      options: { url: upstream.simulatorUrl },
      endpoints: {
        ws_reverse: [{ universal: `${front.wsUrl}/upstream`, access_token: TOKEN }],
      },
    },
  ]);
}, 90_000);

afterAll(async () => {
  await upstream?.stop();
  await front?.stop();
  await files?.close();
});

describe('a cqfleet cluster connecting in by reverse WebSocket', () => {
  it('brings the account online, delivers its events and forwards its actions', async () => {
    await untilOnline(front.httpUrl, UIN, 30_000);
    const api = new OneBotHttp(`${front.httpUrl}/${UIN}`);
    expect(await api.ok('get_login_info')).toMatchObject({ user_id: UIN, nickname: 'reverse bot' });
    const ws = await OneBotWs.connect(`${front.wsUrl}/${UIN}/`);
    try {
      await speak(upstream.simulatorUrl, 'relayed by the gateway');
      const event = await ws.waitForEvent(
        e => e.post_type === 'message' && String(e.raw_message).includes('relayed by'),
        10_000,
      );
      expect(event).toMatchObject({ self_id: UIN, group_id: GROUP, user_id: PERSON });

      const upstreamApi = new OneBotHttp(`${upstream.httpUrl}/${UIN}`);
      await sendThroughFront(api, upstreamApi, 'sent through the relay');
    } finally {
      await ws.close();
    }
  });
});

/** The scripted upstream of SCRIPTED, connected to a front replica (the first by default). */
const scripted = (wsUrl = front.wsUrl) => connectReverse(wsUrl, SCRIPTED, TOKEN);
const upgradeFront = (headers: Record<string, string>) => upgrade(front.wsUrl, headers);

describe('the gateway’s /upstream endpoint', () => {
  it('refuses a socket without the account’s token, account or Universal role', async () => {
    const self = { 'X-Self-ID': String(SCRIPTED) };
    expect((await upgradeFront(self)).status).toBe(401);
    expect((await upgradeFront({ ...self, Authorization: 'Bearer wrong' })).status).toBe(403);
    // With a trailing slash too (not taken for a client path, which this gateway leaves open).
    const wrong = { ...self, Authorization: 'Bearer wrong' };
    expect((await upgrade(front.wsUrl, wrong, '/upstream/')).status).toBe(403);
    const auth = { Authorization: `Token ${TOKEN}` };
    expect((await upgradeFront(auth)).status).toBe(400);
    expect((await upgradeFront({ ...auth, 'X-Self-ID': String(FORWARD_ONLY) })).status).toBe(400);
    expect((await upgradeFront({ ...auth, ...self, 'X-Client-Role': 'API' })).status).toBe(400);
  });

  it('relays frames larger than the NATS payload limit, both ways', async () => {
    const { ws } = await scripted();
    try {
      await untilOnline(front.httpUrl, SCRIPTED, 15_000);
      const api = new OneBotHttp(`${front.httpUrl}/${SCRIPTED}`);
      // ~2.5 MiB of text, over NATS's default 1 MiB: in parts to the upstream and back.
      const big = 'x'.repeat(2_500_000) + '末';
      const r = await api.ok<{ blob: string }>('echo_back', { blob: big });
      expect(r.blob.length).toBe(big.length);
      expect(r.blob === big).toBe(true);
    } finally {
      ws.close();
    }
  });

  it('lets a newer socket replace the older, and follows the account offline and back', async () => {
    const api = new OneBotHttp(`${front.httpUrl}/${SCRIPTED}`);
    const first = await scripted();
    await untilOnline(front.httpUrl, SCRIPTED, 15_000);
    const firstClosed = new Promise<number>(r => first.ws.once('close', code => r(code)));
    const second = await scripted();
    expect(await firstClosed).toBe(1000);
    // The worker finds the newer socket and answers through it.
    await waitFor(async () => {
      const r = await api.call('echo_back', { n: 1 });
      return r.status === 'ok' && second.actions.includes('echo_back') ? true : undefined;
    }, 15_000);

    const before = await api.ok<{ stat: { disconnect_times: number } }>('get_status');
    second.ws.terminate();
    const down = await waitFor(async () => {
      const s = await api.ok<{ online: boolean; stat: { disconnect_times: number } }>('get_status');
      return s.online ? undefined : s;
    }, 15_000);
    expect(down.stat.disconnect_times).toBeGreaterThan(before.stat.disconnect_times);
    expect(await api.call('echo_back', {})).toMatchObject({ msg: 'ACCOUNT_OFFLINE' });
    const third = await scripted();
    try {
      await untilOnline(front.httpUrl, SCRIPTED, 15_000);
      expect(await api.ok('echo_back', { n: 3 })).toEqual({ n: 3 });
    } finally {
      third.ws.close();
    }
  });
});

/** The session worker running `uin` (its /readyz lists its accounts). */
async function ownerOf(uin: number): Promise<ServiceProcess | undefined> {
  for (const w of front.services.filter(s => s.name.startsWith('session'))) {
    if (w.child.exitCode !== null || w.child.signalCode !== null) continue;
    const res = await fetch(`http://127.0.0.1:${String(w.ready.admin)}/readyz`).catch(() => null);
    const body = (await res?.json().catch(() => null)) as { accounts?: number[] } | null;
    if (body?.accounts?.includes(uin)) return w;
  }
  return undefined;
}

describe('the relay across processes', () => {
  it('serves the account through the socket another replica holds, and outlives a killed owner', async () => {
    const held = await scripted(front.gateways[1]!.wsUrl);
    let closed = false;
    held.ws.once('close', () => (closed = true));
    try {
      // Called on replica 0, owned by some worker, socket on replica 1.
      const api = new OneBotHttp(`${front.gateways[0]!.httpUrl}/${SCRIPTED}`);
      await untilOnline(front.gateways[0]!.httpUrl, SCRIPTED, 15_000);
      expect(await api.ok('echo_back', { hop: 1 })).toEqual({ hop: 1 });
      const owner = await waitFor(() => ownerOf(SCRIPTED), 5_000);
      const logins = held.actions.filter(a => a === 'get_login_info').length;
      await owner.kill();
      // Said while the account has no owner: the gateway replays it to the next one.
      held.ws.send(messageFrame(SCRIPTED, 7171, [text('said between owners')]));
      // The other worker takes the account over (lease expiry) and attaches to the same socket.
      await waitFor(async () => {
        const r = await api.call('echo_back', { hop: 2 });
        return r.status === 'ok' ? true : undefined;
      }, 30_000);
      const next = await ownerOf(SCRIPTED);
      expect(next?.name).toBeDefined();
      expect(next?.name).not.toBe(owner.name);
      expect(held.actions.filter(a => a === 'get_login_info').length).toBeGreaterThan(logins);
      expect(await stored(api, 7171)).toMatchObject({ message_id: 7171 });
      expect(closed).toBe(false);
    } finally {
      held.ws.close();
    }
  }, 60_000);
});

describe('media a Lagrange-like upstream cannot serve', () => {
  it('get_image falls back to cqfleet’s media service with the URL of the account’s event', async () => {
    const { ws } = await scripted();
    try {
      await untilOnline(front.httpUrl, SCRIPTED, 15_000);
      const api = new OneBotHttp(`${front.httpUrl}/${SCRIPTED}`);
      const name = '7D1F0E3A2B5C4D6E.png';
      ws.send(
        messageFrame(SCRIPTED, 5151, [
          { type: 'image', data: { file: name, url: files.url('/picture.png') } },
        ]),
      );
      const got = await waitFor(async () => {
        const r = await api.call<{ file: string; url: string; filename: string }>('get_image', {
          file: name,
        });
        return r.status === 'ok' ? r.data : undefined;
      }, 15_000);
      expect(got).toMatchObject({ filename: name, url: files.url('/picture.png') });
      expect(Buffer.compare(await readFile(got.file), PICTURE)).toBe(0);
      // A name no event gave: the upstream lacks the action, cqfleet does not know the image.
      expect(await api.call('get_image', { file: 'UNSEEN.png' })).toMatchObject({
        status: 'failed',
        msg: 'IMAGE_NOT_FOUND',
      });
    } finally {
      ws.close();
    }
  });
});

describe('actions a Lagrange-like upstream knows by other names', () => {
  it('asks again under its name, with the group of a reaction’s message from history', async () => {
    const { ws, calls } = await scripted();
    try {
      await untilOnline(front.httpUrl, SCRIPTED, 15_000);
      const api = new OneBotHttp(`${front.httpUrl}/${SCRIPTED}`);
      await api.ok('delete_group_folder', { group_id: GROUP, folder_id: '/abc' });
      expect(calls.slice(-2)).toEqual([
        { action: 'delete_group_folder', params: { group_id: GROUP, folder_id: '/abc' } },
        { action: 'delete_group_file_folder', params: { group_id: GROUP, folder_id: '/abc' } },
      ]);

      ws.send(messageFrame(SCRIPTED, 6161, [text('react to me')], GROUP));
      await stored(api, 6161);
      await api.ok('set_msg_emoji_like', { message_id: 6161, emoji_id: '76' });
      expect(calls.at(-1)).toEqual({
        action: 'set_group_reaction',
        params: { group_id: GROUP, message_id: 6161, code: '76', is_add: true },
      });
      // A name no upstream has under another: the upstream's 404 stands.
      expect(await api.call('no_such_action_anywhere')).toMatchObject({ retcode: 404 });
    } finally {
      ws.close();
    }
  });
});

describe('what the relay reports', () => {
  it('counts relayed frames, replays, upstream calls and fallbacks', async () => {
    const sum = async (prefix: string, name: string, labels: Record<string, string> = {}) => {
      let total = 0;
      for (const s of front.services.filter(p => p.name.startsWith(prefix)))
        if (s.child.exitCode === null && s.child.signalCode === null)
          total += metricValue(await scrapeMetrics(s), name, labels);
      return total;
    };
    expect(
      await sum('gateway', 'cqfleet_gateway_upstream_frames_total', { direction: 'in' }),
    ).toBeGreaterThan(0);
    expect(
      await sum('gateway', 'cqfleet_gateway_upstream_frames_total', { direction: 'out' }),
    ).toBeGreaterThan(0);
    // The event said between owners was sent again to the next one.
    expect(await sum('gateway', 'cqfleet_gateway_upstream_replayed_total')).toBeGreaterThan(0);
    expect(
      await sum('session', 'cqfleet_session_upstream_calls_total', {
        mode: 'reverse',
        outcome: 'ok',
      }),
    ).toBeGreaterThan(0);
    expect(
      await sum('session', 'cqfleet_session_upstream_fallbacks_total', { kind: 'cqfleet' }),
    ).toBeGreaterThan(0);
    expect(
      await sum('session', 'cqfleet_session_upstream_fallbacks_total', { kind: 'renamed' }),
    ).toBeGreaterThan(0);
  });
});
