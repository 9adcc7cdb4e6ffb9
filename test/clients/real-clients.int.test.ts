/**
 * Real OneBot clients against the cluster (issue 4, point 11), run headless as
 * dependencies-offline.md describes: Koishi with koishi-plugin-adapter-onebot over forward WS,
 * reverse WS and HTTP; node-napcat-ts over forward WS; go-cqwebsocket over split /api + /event.
 * Each logs in, receives a group message from the simulator, replies, and the reply arrives in
 * the simulator; node-napcat-ts also calls NapCat's own actions (reactions, pokes, forwarding one
 * message, recent chats and read marks, history pages) through its typed API. (Koishi 6.9.4's HTTP POST receiver reads the body from the wrong place; a
 * middleware on Koishi's side hands it over, see fixKoishiHttpPostReceiver.)
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@cqfleet/devcluster';
import { SimControl } from '@cqfleet/sim-client';
import { startTestCluster, type TestCluster, waitFor } from '@cqfleet/testkit';
import { CQWebSocket } from 'go-cqwebsocket';
import type * as Koishi from 'koishi';
import { NCWebsocket } from 'node-napcat-ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Koishi's ESM entry does not load on Node 20; its CommonJS entry does.
const require = createRequire(import.meta.url);
const { Context } = require('koishi') as typeof Koishi;
const { HTTP } = require('@koishijs/plugin-http') as { HTTP: unknown };
const { Server } = require('@koishijs/plugin-server') as { Server: unknown };
const OneBot = (require('koishi-plugin-adapter-onebot') as { default: unknown }).default;

const TOKEN = 'client-token';
let cluster: TestCluster;
let sim: SimControl;
let koishiPort: number;
let koishiHttpPort: number;

type KoishiApp = InstanceType<typeof Context>;
const apps: KoishiApp[] = [];

beforeAll(async () => {
  koishiPort = await freePort();
  koishiHttpPort = await freePort();
  const file = join(await mkdtemp(join(tmpdir(), 'gw-')), 'gateway.json');
  await writeFile(
    file,
    JSON.stringify({
      ws_reverse: [
        {
          universal: `ws://127.0.0.1:${koishiPort}/onebot`,
          accounts: [10002],
          reconnect_interval_ms: 200,
        },
      ],
      // Koishi's HTTP POST receiver. No secret: Koishi checks the signature over its own
      // re-serialisation of the body, not over the bytes received.
      http_post: [
        {
          url: `http://127.0.0.1:${koishiHttpPort}/onebot-http`,
          accounts: [10001],
          retry_interval_ms: 100,
          max_retry_interval_ms: 500,
        },
      ],
    }),
  );
  cluster = await startTestCluster({
    accessToken: TOKEN,
    env: { GATEWAY_CONFIG_FILE: file, GATEWAY_HEARTBEAT_INTERVAL_MS: '0' },
  });
  sim = new SimControl(cluster.simulatorUrl);
  await waitFor(
    async () => {
      const r = await fetch(`${cluster.httpUrl}/10002/get_login_info`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      return ((await r.json()) as { status: string }).status === 'ok' ? true : undefined;
    },
    15_000,
    'online',
  );
});

afterAll(async () => {
  for (const app of apps) await app.stop().catch(() => undefined);
  await cluster?.stop();
});

/** The simulator shows `text` said by `sender` in group 100100. */
const arrives = (sender: number, text: string) =>
  waitFor(
    async () =>
      (await sim.groupMessages(100100, 10)).some(m => m.sender_id === sender && m.message === text)
        ? true
        : undefined,
    15_000,
    `"${text}" from ${sender}`,
  );

interface KoaContext {
  body: unknown;
  request: { body?: unknown };
}
type Middleware = (c: KoaContext, next: () => Promise<void>) => Promise<void>;

/**
 * Koishi 6.9.4's HTTP POST receiver reads `ctx.body`, but the server plugin's body parser leaves
 * the parsed body in `ctx.request.body` (dependencies-offline.md). This middleware, in front of
 * the receiver, hands it over — a fix on Koishi's side only; what the gateway sends is untouched.
 */
function fixKoishiHttpPostReceiver(app: KoishiApp): void {
  app.inject(['server'], ctx => {
    const server = (ctx as unknown as { server: { use(m: Middleware): void } }).server;
    server.use(async (c, next) => {
      c.body = c.request.body;
      await next();
    });
  });
}

/** A headless Koishi app; `serverPort` adds Koishi's own HTTP server (reverse WS, HTTP POST). */
async function koishi(config: Record<string, unknown>, serverPort?: number): Promise<KoishiApp> {
  const app = new Context();
  app.plugin(HTTP as never);
  if (serverPort !== undefined) {
    app.plugin(Server as never, { host: '127.0.0.1', port: serverPort });
    if (config.protocol === 'http') fixKoishiHttpPostReceiver(app);
  }
  app.plugin(OneBot as never, config);
  app.on('message', async session => {
    if (session.content?.startsWith('ping'))
      await session.send(`pong from koishi ${String(config.protocol)}: ${session.content}`);
  });
  apps.push(app);
  await app.start();
  return app;
}

const online = (app: KoishiApp) =>
  waitFor(
    () => (app.bots.some(b => b.status === 1) ? app.bots.find(b => b.status === 1) : undefined),
    15_000,
    'koishi bot online',
  );

describe('Koishi + koishi-plugin-adapter-onebot', () => {
  it('forward WS: logs in, receives a group message, replies', async () => {
    const app = await koishi({
      selfId: '10001',
      protocol: 'ws',
      endpoint: `${cluster.wsUrl}/10001/`,
      token: TOKEN,
    });
    const bot = await online(app);
    expect(bot.user?.name).toBe('Fleet Alpha');
    await sim.sendGroupMsg(20001, 100100, 'ping koishi ws');
    await arrives(10001, 'pong from koishi ws: ping koishi ws');
  });

  it('reverse WS: the gateway connects to Koishi; Koishi receives and replies', async () => {
    const app = await koishi(
      { selfId: '10002', protocol: 'ws-reverse', path: '/onebot' },
      koishiPort,
    );
    await online(app);
    await sim.sendGroupMsg(20001, 100100, 'ping koishi ws-reverse');
    await arrives(10002, 'pong from koishi ws-reverse: ping koishi ws-reverse');
  });

  it('HTTP: logs in through the HTTP API, receives by HTTP POST, replies', async () => {
    const app = await koishi(
      {
        selfId: '10001',
        protocol: 'http',
        endpoint: `${cluster.httpUrl}/10001`,
        token: TOKEN,
        path: '/onebot-http',
      },
      koishiHttpPort,
    );
    const bot = await online(app);
    await bot.sendMessage('100100', 'hello from koishi http');
    await arrives(10001, 'hello from koishi http');
    await sim.sendGroupMsg(20001, 100100, 'ping koishi http');
    await arrives(10001, 'pong from koishi http: ping koishi http');
  });
});

describe('node-napcat-ts', () => {
  it('forward WS: logs in, receives a group message, replies, and uses NapCat’s own actions', async () => {
    const bot = new NCWebsocket(
      {
        baseUrl: `${cluster.wsUrl}/10001`,
        accessToken: TOKEN,
        reconnection: { enable: false, attempts: 0, delay: 0 },
        apiTimeout: 5000,
      },
      false,
    );
    const received = new Promise<{ group_id: number; message_id: number }>(resolve =>
      bot.on('message.group', e => {
        if (e.raw_message === 'hello napcat') resolve(e);
      }),
    );
    await bot.connect();
    expect(await bot.get_login_info()).toMatchObject({ user_id: 10001, nickname: 'Fleet Alpha' });
    await sim.sendGroupMsg(20002, 100100, 'hello napcat');
    const { group_id: groupId, message_id: messageId } = await received;
    await bot.send_group_msg({
      group_id: groupId,
      message: [{ type: 'text', data: { text: 'pong from napcat' } }],
    });
    await arrives(10001, 'pong from napcat');

    // NT-era actions through node-napcat-ts's typed API, answered by cqfleet.
    expect(await bot.set_msg_emoji_like({ message_id: messageId, emoji_id: '76' })).toEqual({
      result: 0,
      errMsg: '',
    });
    const likes = await bot.fetch_emoji_like({
      message_id: messageId,
      emojiId: '76',
      emojiType: '1',
    });
    expect(likes).toMatchObject({ isFirstPage: true, isLastPage: true, cookie: '' });
    expect(likes.emojiLikesList.map(l => l.tinyId)).toEqual(['10001']);
    expect(await bot.send_poke({ user_id: 20001 })).toBeNull();
    expect(
      await bot.forward_group_single_msg({ message_id: messageId, group_id: groupId }),
    ).toBeNull();
    await arrives(10001, 'hello napcat');
    await sim.sendGroupMsg(20003, 100100, 'napcat, this is unread');
    const contacts = await waitFor(
      async () => {
        const list = await bot.get_recent_contact({ count: 5 });
        const group = list.find(c => c.peerUin === String(groupId));
        return group &&
          'lastestMsg' in group &&
          group.lastestMsg.raw_message === 'napcat, this is unread'
          ? group
          : undefined;
      },
      5_000,
      'the unread message in get_recent_contact',
    );
    expect(contacts).toMatchObject({ chatType: 2, peerName: 'cqfleet demo', unreadCnt: 1 });
    expect(await bot._mark_all_as_read()).toBeNull();
    const read = await bot.get_recent_contact({ count: 5 });
    expect(read.find(c => c.peerUin === String(groupId))).toMatchObject({ unreadCnt: 0 });
    const page = await bot.get_group_msg_history({
      group_id: groupId,
      count: 2,
      reverseOrder: true,
    });
    expect(page.messages.map(m => m.raw_message)).toEqual([
      'napcat, this is unread',
      'hello napcat',
    ]);
    await bot.disconnect();
  });
});

describe('go-cqwebsocket', () => {
  it('split /api + /event: logs in, receives a group message, replies', async () => {
    const bot = new CQWebSocket({ baseUrl: `${cluster.wsUrl}/10002`, accessToken: TOKEN });
    const opened = Promise.all([
      new Promise<void>(resolve => bot.on('socket.open', () => resolve())),
      new Promise<void>(resolve => bot.on('socket.openEvent', () => resolve())),
    ]);
    const received = new Promise<number>(resolve =>
      bot.on('message.group', ev => {
        const ctx = ev.context as { raw_message: string; group_id: number };
        if (ctx.raw_message === 'hello gocq client') resolve(ctx.group_id);
      }),
    );
    bot.connect();
    await opened;
    expect(await bot.get_login_info()).toMatchObject({ user_id: 10002 });
    await sim.sendGroupMsg(20003, 100100, 'hello gocq client');
    const groupId = await received;
    await bot.send_group_msg(groupId, 'pong from go-cqwebsocket');
    await arrives(10002, 'pong from go-cqwebsocket');
    bot.disconnect();
  });
});
