import { OneBotError } from '@cqfleet/onebot';
import { describe, expect, it } from 'vitest';
import { ActionChannels, ChannelError, type Execute, Refused } from '@cqfleet/rpc';
import { actionRequest, log, TestServers } from './harness.js';

const servers = new TestServers();
const req = actionRequest;

async function serve(execute: Execute, port = 0) {
  await servers.serveActions(execute, { port, maxMs: 2_000 });
  return servers.server!.port;
}

const data = (r: { dataJson: Uint8Array }) =>
  JSON.parse(Buffer.from(r.dataJson).toString()) as unknown;

describe('rpc - action stream', () => {
  it('a result comes back as JSON with retcode 0', async () => {
    await serve(async r => ({
      echo: JSON.parse(Buffer.from(r.paramsJson).toString()),
      action: r.action,
    }));
    const reply = await servers.channel!.call(req('x', { a: 1 }), 1000);
    expect(reply.retcode).toBe(0);
    expect(reply.executed).toBe(true);
    expect(data(reply)).toEqual({ echo: { a: 1 }, action: 'x' });
  });

  it('failures travel as data with their tag; unknown errors are hidden', async () => {
    await serve(async r => {
      if (r.action === 'known') throw new OneBotError('GROUP_NOT_FOUND');
      if (r.action === 'refused') throw new Refused(new OneBotError('OWNERSHIP_MOVED'));
      throw new Error('secret internals');
    });
    expect(await servers.channel!.call(req('known'), 1000)).toMatchObject({
      retcode: 100,
      msg: 'GROUP_NOT_FOUND',
      executed: true,
    });
    expect(await servers.channel!.call(req('refused'), 1000)).toMatchObject({
      msg: 'OWNERSHIP_MOVED',
      executed: false,
    });
    const hidden = await servers.channel!.call(req('boom'), 1000);
    expect(hidden).toMatchObject({ retcode: 100, msg: 'INTERNAL_ERROR' });
    expect(hidden.wording).not.toContain('secret');
  });

  it('many calls share one stream and may finish out of order', async () => {
    await serve(async r => {
      const n = (JSON.parse(Buffer.from(r.paramsJson).toString()) as { n: number }).n;
      await new Promise(res => setTimeout(res, (50 - n) % 7));
      return n;
    });
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, n) => servers.channel!.call(req('n', { n }), 2000)),
    );
    expect(replies.map(data)).toEqual(Array.from({ length: 50 }, (_, n) => n));
  });

  it('the owner bounds a call by its deadline', async () => {
    await serve(() => new Promise(() => {}));
    const reply = await servers.channel!.call({ ...req('slow'), deadlineMs: 100 }, 2000);
    expect(reply).toMatchObject({ retcode: 100, msg: 'TIMEOUT' });
  });

  it('a broken stream fails waiting calls; the next call opens a new stream', async () => {
    const port = await serve(() => new Promise(() => {}));
    const waiting = servers.channel!.call(req('hang'), 5000);
    await new Promise(r => setTimeout(r, 50));
    await servers.stopServer(0);
    await expect(waiting).rejects.toBeInstanceOf(ChannelError);
    await serve(async () => 'back', port);
    expect(data(await servers.channel!.call(req('again'), 3000))).toBe('back');
  });
});

describe('rpc - channels to workers that are gone', () => {
  it('a channel not asked for in idleMs, with nothing in flight, is closed; a busy one is kept', async () => {
    let now = 0;
    const channels = new ActionChannels(log, { idleMs: 1_000, now: () => now });
    try {
      // Workers that came and went: each had an address of its own.
      for (let i = 0; i < 50; i++) channels.get(`127.0.0.1:${40_000 + i}`);
      expect(channels.size).toBe(50);
      const port = await serve(async () => {
        await new Promise(r => setTimeout(r, 300));
        return 'slow';
      });
      const live = channels.get(`127.0.0.1:${port}`);
      const pending = live.call(req('slow'), 5_000);
      now = 1_000;
      // The old ones are let go at the next look-up; the one with a call in flight stays.
      channels.get('127.0.0.1:41000');
      expect(channels.size).toBe(2);
      expect(channels.get(`127.0.0.1:${port}`)).toBe(live);
      expect(data(await pending)).toBe('slow');
      // Asked for again after it went, an address gets a new channel.
      now = 3_000;
      expect(channels.get('127.0.0.1:40000')).toBeDefined();
      expect(channels.size).toBe(1);
    } finally {
      channels.closeAll();
    }
  });
});
