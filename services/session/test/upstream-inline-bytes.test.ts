/**
 * Media content made for upstream actions is bounded per account and per worker while it is
 * held (inline-bytes.ts): an account's sends past its bound fail RATE_LIMIT_QUEUE_FULL at once,
 * another account's still go, and what a send held is given back once the upstream has been
 * asked — answered or failed.
 */
import type { MediaClient } from '@cqfleet/media-client';
import { OneBotError } from '@cqfleet/onebot';
import type { MessageLookup } from '@cqfleet/rpc';
import { describe, expect, it } from 'vitest';
import type { AccountRuntime } from '../src/account.js';
import type { OneBotUpstream } from '../src/driver/driver.js';
import { forwardToUpstream } from '../src/upstream/forward.js';
import { InlineBytes } from '../src/upstream/inline-bytes.js';

/** base64 of the 1 KiB each image is made of. */
const IMAGE_CHARS = Buffer.alloc(1024).toString('base64').length;

const media = {
  inline: async () => ({ bytes: Buffer.alloc(1024, 1), prepared: {} }),
} as unknown as MediaClient;

function world() {
  // An upstream that answers when the test says so, or fails.
  const gates: Array<{ answer(): void; fail(): void }> = [];
  const upstream: OneBotUpstream = {
    flavor: 'napcat',
    action: () =>
      new Promise((resolve, reject) =>
        gates.push({
          answer: () => resolve({ message_id: 1 }),
          fail: () => reject(new OneBotError('SEND_MSG_API_ERROR', 'upstream refused')),
        }),
      ),
  };
  // Two images of one account fit, three do not; the worker holds five.
  const bytes = new InlineBytes(2 * IMAGE_CHARS + 10, 5 * IMAGE_CHARS + 10);
  const send = (uin: number, images: number) =>
    forwardToUpstream(
      {
        action: 'send_msg',
        params: {
          user_id: 20001,
          message: Array.from({ length: images }, (_, i) => ({
            type: 'image',
            data: { file: `http://127.0.0.1/${i}.png` },
          })),
        },
      },
      { uin, stats: { messageSent: 0 } } as unknown as AccountRuntime,
      upstream,
      {
        format: 'array',
        local: () => Promise.reject(new Error('no local handler')),
        history: {} as MessageLookup,
        inline: { media, timeoutMs: 1_000, ignoreInvalidCqcode: false, maxBytes: 1024 * 1024 },
        inlineBytes: bytes,
        signal: new AbortController().signal,
      },
    );
  const asked = async (n: number) => {
    await expect.poll(() => gates.length).toBe(n);
  };
  return { gates, bytes, send, asked };
}

describe('media content held for upstream sends', () => {
  it('an account past its bound is refused at once; another account still sends; given back after', async () => {
    const w = world();
    const first = w.send(10001, 2);
    await w.asked(1);
    expect(w.bytes.heldBy(10001)).toBe(2 * IMAGE_CHARS);
    await expect(w.send(10001, 1)).rejects.toMatchObject({ msg: 'RATE_LIMIT_QUEUE_FULL' });
    const other = w.send(10002, 2);
    await w.asked(2);
    w.gates[0]!.answer();
    w.gates[1]!.answer();
    await expect(first).resolves.toEqual({ message_id: 1 });
    await expect(other).resolves.toEqual({ message_id: 1 });
    expect(w.bytes.heldBy(10001)).toBe(0);
    expect(w.bytes.heldBy(10002)).toBe(0);
    // And the account sends again.
    const again = w.send(10001, 2);
    await w.asked(3);
    w.gates[2]!.answer();
    await expect(again).resolves.toEqual({ message_id: 1 });
  });

  it('the worker’s bound holds across accounts; a failed send gives its content back too', async () => {
    const w = world();
    const sends = [w.send(10001, 2), w.send(10002, 2)];
    await w.asked(2);
    await expect(w.send(10003, 2)).rejects.toMatchObject({ msg: 'RATE_LIMIT_QUEUE_FULL' });
    w.gates[0]!.fail();
    await expect(sends[0]).rejects.toMatchObject({ msg: 'SEND_MSG_API_ERROR' });
    expect(w.bytes.heldBy(10001)).toBe(0);
    const third = w.send(10003, 2);
    await w.asked(3);
    w.gates[1]!.answer();
    w.gates[2]!.answer();
    await Promise.all([sends[1], third]);
    expect(w.bytes.heldBy(10003)).toBe(0);
  });
});
