/**
 * Media notes are best-effort writes on the worker's shared Redis connection: a note is skipped
 * (not queued) while the account's unanswered note writes, or the worker's, would pass their
 * bound (NoteLimits), so lease renewals and cursor writes never wait behind a flood of them.
 */
import { Namespace } from '@cqfleet/contracts';
import type { OneBotEvent } from '@cqfleet/onebot';
import { createLogger, type Redis } from '@cqfleet/runtime';
import { describe, expect, it } from 'vitest';
import { UpstreamMediaNames } from '../src/upstream/media-names.js';

const log = createLogger('test', 'silent');
const ns = new Namespace('notes-test');

/** A Redis whose note writes wait until `answer()` answers them. */
function heldRedis() {
  const waiting: Array<() => void> = [];
  const writes: unknown[][] = [];
  const redis = {
    defineCommand: () => undefined,
    cqfUpstreamNotes: (...args: unknown[]) => {
      writes.push(args);
      return new Promise<number>(r => waiting.push(() => r(0)));
    },
  };
  const answer = async () => {
    for (const r of waiting.splice(0)) r();
    await new Promise(r => setTimeout(r, 0));
  };
  return { redis: redis as unknown as Redis, writes, answer };
}

/** A message of 10 images with ~4 KB URLs: ~41 KB of notes. */
function event(id: number): OneBotEvent {
  return {
    post_type: 'message',
    message: Array.from({ length: 10 }, (_, n) => ({
      type: 'image',
      data: { file: `${id}-${n}.image`, url: `https://example.invalid/${'u'.repeat(4_000)}` },
    })),
  } as unknown as OneBotEvent;
}

const unlimited = { rate: Infinity, burst: Infinity };

describe('media notes on a busy Redis connection', () => {
  it('skips an account’s notes while its unanswered writes would pass its bound', async () => {
    const { redis, writes, answer } = heldRedis();
    const names = new UpstreamMediaNames(redis, ns, 1, log, {
      ...unlimited,
      accountBacklogBytes: 100_000,
      workerBacklogBytes: Infinity,
    });
    for (let e = 0; e < 10; e++) names.remember(event(e));
    // Two events' notes (~82 KB) fit under 100 KB; the other eight are not queued.
    expect(writes.length).toBe(2);
    await answer();
    names.remember(event(10));
    expect(writes.length).toBe(3);
    await answer();
  });

  it('skips any account’s notes while the worker’s would pass its bound', async () => {
    const { redis, writes, answer } = heldRedis();
    const limits = { ...unlimited, accountBacklogBytes: Infinity, workerBacklogBytes: 100_000 };
    const a = new UpstreamMediaNames(redis, ns, 1, log, limits);
    const b = new UpstreamMediaNames(redis, ns, 2, log, limits);
    for (let e = 0; e < 5; e++) a.remember(event(e));
    b.remember(event(100));
    expect(writes.length).toBe(2);
    await answer();
    b.remember(event(101));
    expect(writes.length).toBe(3);
    await answer();
  });
});
