/**
 * Replacing an account's record through the admin API takes effect on the worker that owns it
 * (issue 22): a corrected upstream URL, a new token, new timeouts and flavour, another driver,
 * new endpoints, enabled again — each online with the new settings within 2 s of the PUT; an
 * unchanged record reconnects nothing; a change during a hand-over reaches the new owner; a
 * reverse upstream's new token closes the old socket, refuses the old token and accepts the new.
 */
import type { Socket } from 'node:net';
import { Namespace } from '@cqfleet/contracts';
import { connectNats, createLogger } from '@cqfleet/runtime';
import { SimControl } from '@cqfleet/sim-client';
import {
  OneBotHttp,
  Receiver,
  startTestCluster,
  type TestCluster,
  testInfra,
  waitFor,
} from '@cqfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectReverse, messageFrame, text, upgrade } from './scripted-reverse.js';
import { StandInUpstream } from './standin-upstream.js';

const ADMIN = 'admin-secret';
/** An upstream account, and a reverse one. */
const UP = 30101;
const REV = 30102;
const DEMO_GROUP = 100100;

let cluster: TestCluster;
let admin: string;
const standIns: StandInUpstream[] = [];
const receivers: Receiver[] = [];

async function put(uin: number, record: unknown): Promise<number> {
  const res = await fetch(`${admin}/accounts/${uin}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify(record),
  });
  await res.arrayBuffer();
  return res.status;
}

async function view(
  uin: number,
): Promise<{ online: boolean | null; owner: { worker: string } | null }> {
  const res = await fetch(`${admin}/accounts/${uin}`, {
    headers: { authorization: `Bearer ${ADMIN}` },
  });
  return (await res.json()) as { online: boolean | null; owner: { worker: string } | null };
}

/**
 * Milliseconds from `since` until the account answers get_login_info with `nickname` and the
 * admin API shows it online. Both are asked each time: during a hand-over the old owner may
 * answer first and then let the account go, which the admin API shows as no owner (online null)
 * until the next owner holds it.
 */
async function onlineAs(uin: number, nickname: string, since: number): Promise<number> {
  const http = new OneBotHttp(`${cluster.httpUrl}/${uin}`);
  await waitFor(
    async () => {
      const r = await http.call<{ nickname: string }>('get_login_info');
      if (r.status !== 'ok' || r.data.nickname !== nickname) return undefined;
      return (await view(uin)).online === true ? true : undefined;
    },
    10_000,
    `${uin} online as ${nickname}`,
  );
  return Date.now() - since;
}

async function standIn(uin: number, nickname: string, token: string): Promise<StandInUpstream> {
  const s = await new StandInUpstream(uin, nickname, token).start();
  standIns.push(s);
  return s;
}

beforeAll(async () => {
  cluster = await startTestCluster({
    sessions: 2,
    // Pinged twice a second: a reverse upstream that stops answering is cut off within a second.
    env: { GATEWAY_ADMIN_TOKEN: ADMIN, GATEWAY_UPSTREAM_PING_MS: '500' },
  });
  admin = cluster.gateways[0]!.adminUrl;
}, 60_000);

afterAll(async () => {
  for (const s of standIns) s.close();
  for (const r of receivers) await r.stop();
  await cluster?.stop();
});

describe('a forward upstream', () => {
  let a: StandInUpstream;

  it('a corrected url: online on the new address within 2 s', async () => {
    expect(
      await put(UP, { driver: 'onebot', options: { url: 'ws://127.0.0.1:9/', token: 'one' } }),
    ).toBe(201);
    await new Promise(r => setTimeout(r, 1_000)); // the owner keeps dialling the wrong address
    a = await standIn(UP, 'upstream A', 'one');
    const since = Date.now();
    expect(await put(UP, { driver: 'onebot', options: { url: a.url, token: 'one' } })).toBe(200);
    expect(await onlineAs(UP, 'upstream A', since)).toBeLessThan(2_000);
  });

  it('a new token: reconnects with it within 2 s', async () => {
    a.token = 'two';
    const since = Date.now();
    await put(UP, { driver: 'onebot', options: { url: a.url, token: 'two' } });
    await waitFor(async () => (a.connections.at(-1) === 'Bearer two' ? true : undefined), 2_000);
    expect(await onlineAs(UP, 'upstream A', since)).toBeLessThan(2_000);
    expect(a.open).toBe(1);
  });

  it('new timeouts and flavour: the next connection uses them', async () => {
    const before = a.connections.length;
    const since = Date.now();
    await put(UP, {
      driver: 'onebot',
      options: { url: a.url, token: 'two', timeoutMs: 300, flavor: 'napcat' },
    });
    await waitFor(async () => (a.connections.length > before ? true : undefined), 2_000);
    expect(await onlineAs(UP, 'upstream A', since)).toBeLessThan(2_000);
    const started = Date.now();
    const slow = await new OneBotHttp(`${cluster.httpUrl}/${UP}`).call('slow_action');
    expect(slow).toMatchObject({ status: 'failed' });
    expect(Date.now() - started).toBeLessThan(2_000); // 300 ms, not the default 30 s
  });

  it('the same record again (keys in another order) reconnects nothing', async () => {
    const before = a.connections.length;
    await put(UP, {
      options: { flavor: 'napcat', timeoutMs: 300, token: 'two', url: a.url },
      driver: 'onebot',
    });
    await new Promise(r => setTimeout(r, 1_500));
    expect(a.connections.length).toBe(before);
    expect(a.open).toBe(1);
  });

  it('disabled, then enabled again: online within 2 s', async () => {
    const record = { driver: 'onebot', options: { url: a.url, token: 'two' } };
    await put(UP, { ...record, enabled: false });
    await waitFor(
      async () => ((await view(UP)).owner === null && a.open === 0 ? true : undefined),
      5_000,
    );
    const since = Date.now();
    await put(UP, { ...record, enabled: true });
    expect(await onlineAs(UP, 'upstream A', since)).toBeLessThan(2_000);
  });
});

describe('another driver', () => {
  it('simulator → onebot → simulator, each within 2 s', async () => {
    const native = await new OneBotHttp(`${cluster.httpUrl}/10001`).ok<{ nickname: string }>(
      'get_login_info',
    );
    const b = await standIn(10001, 'upstream B', 'b');
    let since = Date.now();
    await put(10001, { driver: 'onebot', options: { url: b.url, token: 'b' } });
    expect(await onlineAs(10001, 'upstream B', since)).toBeLessThan(2_000);
    since = Date.now();
    await put(10001, { driver: 'simulator', options: { url: cluster.simulatorUrl } });
    expect(await onlineAs(10001, native.nickname, since)).toBeLessThan(2_000);
    await waitFor(async () => (b.open === 0 ? true : undefined), 2_000);
  });
});

describe('endpoints', () => {
  it('an added and then a replaced HTTP POST receiver get the events within 2 s', async () => {
    const [r1, r2] = await Promise.all([new Receiver().start(), new Receiver().start()]);
    receivers.push(r1, r2);
    const sim = new SimControl(cluster.simulatorUrl);
    const record = { driver: 'simulator', options: { url: cluster.simulatorUrl } };
    /** Milliseconds from `since` until `r` receives a message said (again every 200 ms) now. */
    let said = 0;
    const heard = async (r: Receiver, since: number) => {
      const prefix = `to ${r.url} `;
      await waitFor(
        async () => {
          await sim.sendGroupMsg(20001, DEMO_GROUP, `${prefix}${++said}`);
          await new Promise(resolve => setTimeout(resolve, 200));
          return r.received.some(x => String(x.json.raw_message).startsWith(prefix))
            ? true
            : undefined;
        },
        5_000,
        `a message at ${r.url}`,
      );
      return Date.now() - since;
    };
    let since = Date.now();
    await put(10002, { ...record, endpoints: { http_post: [{ url: r1.url }] } });
    expect(await heard(r1, since)).toBeLessThan(2_000);
    since = Date.now();
    await put(10002, { ...record, endpoints: { http_post: [{ url: r2.url }] } });
    expect(await heard(r2, since)).toBeLessThan(2_000);
    const atFirst = r1.received.length;
    await sim.sendGroupMsg(20001, DEMO_GROUP, `to ${r2.url} last`);
    await waitFor(async () =>
      r2.received.some(x => x.json.raw_message === `to ${r2.url} last`) ? true : undefined,
    );
    expect(r1.received.length).toBe(atFirst);
  });
});

describe('a reverse upstream', () => {
  it('a new token closes the old socket, refuses the old token and accepts the new within 2 s', async () => {
    await put(REV, { driver: 'onebot', options: { mode: 'reverse', token: 'r1' } });
    const first = await connectReverse(cluster.wsUrl, REV, 'r1');
    await onlineAs(REV, 'scripted', Date.now());
    const closed = new Promise<number>(resolve => first.ws.once('close', resolve));
    const since = Date.now();
    await put(REV, { driver: 'onebot', options: { mode: 'reverse', token: 'r2' } });
    expect(await closed).toBe(1008);
    const headers = (token: string) => ({
      'X-Self-ID': String(REV),
      'X-Client-Role': 'Universal',
      Authorization: `Bearer ${token}`,
    });
    expect((await upgrade(cluster.wsUrl, headers('r1'))).status).toBe(403);
    const second = await connectReverse(cluster.wsUrl, REV, 'r2');
    expect(await onlineAs(REV, 'scripted', since)).toBeLessThan(2_000);
    second.ws.close();
  });
});

describe('a revoked reverse socket that ignores the close', () => {
  it('relays nothing more and answers no worker, however long it stays', async () => {
    await put(REV, { driver: 'onebot', options: { mode: 'reverse', token: 'r3' } });
    const old = await connectReverse(cluster.wsUrl, REV, 'r3');
    await onlineAs(REV, 'scripted', Date.now());
    const ns = new Namespace(cluster.options.namespace);
    const nc = await connectNats(testInfra().natsUrl, 'test', createLogger('test', 'silent'));
    try {
      const relayed: string[] = [];
      nc.subscribe(`${ns.upstreamSubject(REV, 'in')}.*`, {
        callback: (_err, msg) => {
          relayed.push(msg.string());
        },
      });
      // It stops reading, so the close frame never reaches it and its side stays open.
      (old.ws as unknown as { _socket: Socket })._socket.pause();
      await put(REV, { driver: 'onebot', options: { mode: 'reverse', token: 'r4' } });
      await new Promise(r => setTimeout(r, 500));
      old.ws.send(messageFrame(REV, 4242, [text('from a revoked token')]));
      await nc.flush();
      await expect(
        nc.request(ns.upstreamSubject(REV, 'hello'), '', { timeout: 1_000 }),
      ).rejects.toThrow();
      expect(relayed.filter(f => f.includes('from a revoked token'))).toEqual([]);
    } finally {
      old.ws.terminate();
      await nc.drain();
    }
  });
});

describe('a reverse upstream that stops answering', () => {
  it('is cut off at the next ping but one, and its account goes offline', async () => {
    await put(REV, { driver: 'onebot', options: { mode: 'reverse', token: 'r5' } });
    const quiet = await connectReverse(cluster.wsUrl, REV, 'r5');
    await onlineAs(REV, 'scripted', Date.now());
    // Gone without a FIN, as far as the gateway can tell: nothing it sends is read any more.
    (quiet.ws as unknown as { _socket: Socket })._socket.pause();
    try {
      await waitFor(
        async () => ((await view(REV)).online === false ? true : undefined),
        10_000,
        'offline',
      );
    } finally {
      quiet.ws.terminate();
    }
  });
});

describe('a change during a hand-over', () => {
  it('reaches the new owner: online on the new address within 2 s', async () => {
    const c = await standIn(UP, 'upstream C', 'c');
    const owner = (await view(UP)).owner!.worker;
    const worker = cluster.services.find(s => owner.startsWith(`${s.name}-`))!;
    const since = Date.now();
    // The owner stops gracefully (handing its accounts over) while the record changes.
    const stopped = worker.stop();
    await put(UP, { driver: 'onebot', options: { url: c.url, token: 'c' } });
    expect(await onlineAs(UP, 'upstream C', since)).toBeLessThan(2_000);
    await stopped;
    // The next owner takes the account once the old one has let it go.
    await waitFor(async () => {
      const now = (await view(UP)).owner?.worker;
      return now !== undefined && now !== owner ? true : undefined;
    }, 5_000);
    expect(await onlineAs(UP, 'upstream C', Date.now())).toBeLessThan(2_000);
  });
});
