/**
 * Replies on the multiplexed `Call` stream respect a caller that reads slowly (server.ts): the
 * replies written and not yet sent are bounded in bytes per stream; past the bound a reply with
 * data is answered RESULT_TOO_LARGE instead, so a gateway that does not read cannot make the
 * owner hold every result it computes for it. Every call is still answered.
 *
 * The slow reader is the network: a TCP proxy between the channel and the server that stops
 * taking what the server sends (a gateway whose event loop is stuck, a congested link), so the
 * server's socket and then its HTTP/2 stream stop draining.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { ActionChannel } from '@cqfleet/rpc';
import { metricsRegistry } from '@cqfleet/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { actionRequest, log, TestServers } from './harness.js';

const servers = new TestServers();

const MIB = 1024 * 1024;
const CALLS = 64;
const BOUND = 4 * MIB;

const metric = async (name: string) =>
  (await metricsRegistry.getSingleMetric(name)?.get())?.values[0]?.value ?? 0;

const until = async (ok: () => boolean, ms: number) => {
  for (const end = Date.now() + ms; !ok() && Date.now() < end;)
    await new Promise(r => setTimeout(r, 10));
};

/** A loopback proxy to `port` whose server-to-client direction can be stopped and resumed. */
async function proxyTo(port: number) {
  const fromServer: Socket[] = [];
  let stalled = false;
  const server: Server = createServer(client => {
    const upstream = connect(port, '127.0.0.1');
    fromServer.push(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    if (stalled) upstream.pause();
    const close = () => (client.destroy(), upstream.destroy());
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    stall() {
      stalled = true;
      for (const s of fromServer) s.pause();
    },
    resume() {
      stalled = false;
      for (const s of fromServer) s.resume();
    },
    close: () => {
      for (const s of fromServer) s.destroy();
      return new Promise(r => server.close(r));
    },
  };
}

const closing: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of closing.splice(0)) await c();
});

describe('rpc - a slow reader of the action stream', () => {
  it('does not make the server hold more than its bound of unsent replies', async () => {
    let executed = 0;
    const payload = 'x'.repeat(MIB);
    await servers.serveActions(
      async req => {
        if (req.action === 'big') {
          // One after another: a reader that kept up would read each in time.
          await new Promise(r => setTimeout(r, req.callId * 10));
          executed++;
          return payload;
        }
        return 'small';
      },
      { maxUnsentBytes: BOUND },
    );
    const proxy = await proxyTo(servers.server!.port);
    closing.push(proxy.close);
    const channel = new ActionChannel(`127.0.0.1:${proxy.port}`, log);
    closing.push(() => channel.close());
    // The stream is open before its replies stop being read.
    expect(await channel.call(actionRequest('small'), 5_000)).toMatchObject({ retcode: 0 });
    const shedBefore = await metric('cqfleet_rpc_replies_shed_total');

    proxy.stall();
    // Many accounts' calls: each account stays within its share, the stream's bound is what holds.
    const calls = Array.from({ length: CALLS }, (_, i) =>
      channel.call({ ...actionRequest('big'), selfId: 10001 + (i % 16) }, 20_000),
    );
    let most = 0;
    for (const end = Date.now() + 10_000; executed < CALLS && Date.now() < end;) {
      most = Math.max(most, await metric('cqfleet_rpc_replies_unsent_bytes'));
      await new Promise(r => setTimeout(r, 5));
    }
    expect(executed).toBe(CALLS);
    // Never more unsent than the bound and the one reply that crossed it …
    expect(most).toBeGreaterThan(MIB);
    expect(most).toBeLessThanOrEqual(BOUND + MIB + 1024);
    // … the results past it let go.
    expect((await metric('cqfleet_rpc_replies_shed_total')) - shedBefore).toBeGreaterThan(0);

    // Read again: every call is answered, those past the bound with RESULT_TOO_LARGE.
    proxy.resume();
    const replies = await Promise.all(calls);
    const refused = replies.filter(r => r.retcode !== 0);
    expect(refused.length).toBeGreaterThan(CALLS / 2);
    for (const r of refused) expect(r).toMatchObject({ msg: 'RESULT_TOO_LARGE', executed: true });
    await until(() => false, 50);
    expect(await metric('cqfleet_rpc_replies_unsent_bytes')).toBe(0);
  });

  it('one account’s large results take at most its share: another account’s still go out', async () => {
    const payload = 'z'.repeat(MIB);
    let executed = 0;
    await servers.serveActions(
      async () => {
        executed++;
        return payload;
      },
      { maxUnsentBytes: 8 * MIB },
    );
    const proxy = await proxyTo(servers.server!.port);
    closing.push(proxy.close);
    const channel = new ActionChannel(`127.0.0.1:${proxy.port}`, log);
    closing.push(() => channel.close());
    expect(await channel.call(actionRequest('warm'), 5_000)).toMatchObject({ retcode: 0 });

    proxy.stall();
    // Account 10001 asks for 8 MiB of results, as much as the whole stream holds …
    const mine = Array.from({ length: 8 }, () =>
      channel.call({ ...actionRequest('big'), selfId: 10001 }, 20_000),
    );
    await until(() => executed >= 9, 10_000);
    // … and another account's result, written after them, is not shed for it.
    const other = channel.call({ ...actionRequest('big'), selfId: 10002 }, 20_000);
    await until(() => executed >= 10, 10_000);
    proxy.resume();
    const replies = await Promise.all(mine);
    expect(replies.filter(r => r.retcode !== 0).length).toBeGreaterThan(0);
    expect(await other).toMatchObject({ retcode: 0 });
  });

  it('a reader that keeps up gets every reply with its data: what was sent counts no more', async () => {
    const payload = 'y'.repeat(MIB);
    // A 12 MiB bound: an account's share (a quarter) holds the two replies in flight at once.
    const channel = await servers.serveActions(async () => payload, {
      maxUnsentBytes: 12 * MIB,
    });
    // 16 MiB in all through it, two calls at a time.
    for (let i = 0; i < 8; i++) {
      const replies = await Promise.all([
        channel.call(actionRequest('big'), 10_000),
        channel.call(actionRequest('big'), 10_000),
      ]);
      for (const r of replies) expect(r).toMatchObject({ retcode: 0 });
    }
  });
});
