/**
 * A forwarded action ends with its deadline (forward.ts, media-inline.ts): once the signal
 * `runAction` gives the executor fires, waiting for the account's media slot stops, the content
 * made so far is let go and the upstream is not asked — instead of the action holding that
 * content for up to the media timeout (30 s) while the caller already has its TIMEOUT.
 *
 * The media client stands in as a double whose `inline` waits for a real AccountSlots (the
 * media client's per-account share), as MediaClient.inline does.
 */
import { AccountSlots, type MediaClient } from '@cqfleet/media-client';
import { OneBotError } from '@cqfleet/onebot';
import type { MessageLookup } from '@cqfleet/rpc';
import { describe, expect, it } from 'vitest';
import type { AccountRuntime } from '../src/account.js';
import type { OneBotUpstream } from '../src/driver/driver.js';
import { forwardToUpstream } from '../src/upstream/forward.js';

const UIN = 30901;
const MEDIA_TIMEOUT_MS = 30_000;

function setup() {
  const slots = new AccountSlots(1);
  const made: string[] = [];
  const media = {
    // `cached` media is made without a job; the rest waits for the account's slot.
    inline: async (
      _kind: string,
      file: string,
      _options: unknown,
      timeoutMs: number,
      selfId: number,
      signal?: AbortSignal,
    ) => {
      const release = file.includes('cached')
        ? () => undefined
        : await slots.acquire(selfId, timeoutMs, signal);
      try {
        made.push(file);
        return { bytes: Buffer.alloc(1024, 1), prepared: {} };
      } finally {
        release();
      }
    },
  } as unknown as MediaClient;
  const asked: string[] = [];
  const upstream: OneBotUpstream = {
    flavor: 'napcat',
    action: async action => {
      asked.push(action);
      return { message_id: 1 };
    },
  };
  const account = { uin: UIN, stats: { messageSent: 0 } } as unknown as AccountRuntime;
  return { slots, made, media, asked, upstream, account };
}

const send = (s: ReturnType<typeof setup>, signal: AbortSignal, images: string[]) =>
  forwardToUpstream(
    {
      action: 'send_msg',
      params: {
        user_id: 20001,
        message: images.map(file => ({ type: 'image', data: { file } })),
      },
    },
    s.account,
    s.upstream,
    {
      format: 'array',
      local: () => Promise.reject(new Error('no local handler')),
      history: {} as MessageLookup,
      inline: {
        media: s.media,
        timeoutMs: MEDIA_TIMEOUT_MS,
        ignoreInvalidCqcode: false,
        maxBytes: 1024 * 1024,
      },
      signal,
    },
  );

describe('a forwarded send at its deadline', () => {
  it('stops waiting for the account’s media slot, lets its content go, asks nothing upstream', async () => {
    const s = setup();
    // Another action of the account holds its only media slot (a slow download).
    const held = await s.slots.acquire(UIN, 1_000);
    const deadline = new AbortController();
    const started = Date.now();
    const sending = send(s, deadline.signal, [
      'http://127.0.0.1/cached.png',
      'http://127.0.0.1/b.png',
    ]);
    sending.catch(() => undefined);
    await new Promise(r => setTimeout(r, 50));
    expect(s.made).toEqual(['http://127.0.0.1/cached.png']);
    expect(s.slots.waitingFor(UIN)).toBe(1);

    deadline.abort(new OneBotError('TIMEOUT', 'deadline'));
    await expect(sending).rejects.toMatchObject({ msg: 'TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(1_000);
    // Out of the line at once: nothing of it waits for the slot any more …
    expect(s.slots.waitingFor(UIN)).toBe(0);
    held();
    // … so the slot given back is not passed on to it.
    expect(s.slots.inQueue(UIN)).toBe(0);
    expect(s.made).toEqual(['http://127.0.0.1/cached.png']);
    expect(s.asked).toEqual([]);
  });

  it('past its deadline asks for no media and nothing upstream', async () => {
    const s = setup();
    const deadline = new AbortController();
    deadline.abort(new OneBotError('TIMEOUT', 'deadline'));
    await expect(send(s, deadline.signal, ['http://127.0.0.1/a.png'])).rejects.toMatchObject({
      msg: 'TIMEOUT',
    });
    expect(s.made).toEqual([]);
    expect(s.asked).toEqual([]);
  });

  it('runs as before while its deadline has not fired', async () => {
    const s = setup();
    const data = await send(s, new AbortController().signal, [
      'http://127.0.0.1/a.png',
      'http://127.0.0.1/b.png',
    ]);
    expect(data).toEqual({ message_id: 1 });
    expect(s.made).toHaveLength(2);
    expect(s.asked).toEqual(['send_msg']);
    expect(s.slots.inQueue(UIN)).toBe(0);
  });
});
