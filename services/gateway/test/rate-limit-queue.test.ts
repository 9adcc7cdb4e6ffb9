/**
 * `_rate_limited` queues (issue 15, item 5): one per account, each bounded and with its own
 * interval, gone once idle.
 */
import { type ActionResponse, ok } from '@cqfleet/onebot';
import { describe, expect, it } from 'vitest';
import { RateLimitQueues } from '../src/routing/rate-limit-queue.js';
import { silent } from './in-process.js';

function recorder() {
  const ran: string[] = [];
  const run = (label: string) => async (): Promise<ActionResponse> => (ran.push(label), ok(null));
  return { ran, run };
}

describe('_rate_limited queues', () => {
  it('a full queue of one account does not delay another account', async () => {
    const queues = new RateLimitQueues(1_000, 5, silent);
    const { ran, run } = recorder();
    try {
      for (let i = 0; i < 5; i++) expect(queues.push(10001, run(`a${i}`))).toBe(true);
      expect(queues.push(10002, run('b0'))).toBe(true);
      // b0 runs at once; a's later calls wait a second each.
      await expect.poll(() => ran, { timeout: 500 }).toEqual(['a0', 'b0']);
    } finally {
      queues.stop();
    }
  });

  it('an account’s queue is bounded: beyond the bound a call is refused and not queued', () => {
    const queues = new RateLimitQueues(60_000, 3, silent);
    const { run } = recorder();
    try {
      // The first runs at once; three may wait.
      const accepted = Array.from({ length: 6 }, (_, i) => queues.push(10001, run(`a${i}`)));
      expect(accepted).toEqual([true, true, true, true, false, false]);
      expect(queues.waiting(10001)).toBe(3);
      expect(queues.push(10002, run('b'))).toBe(true);
    } finally {
      queues.stop();
    }
  });

  it('runs an account’s calls in order, one per interval, and forgets the queue once idle', async () => {
    const queues = new RateLimitQueues(50, 10, silent);
    const { ran, run } = recorder();
    for (let i = 0; i < 3; i++) queues.push(10001, run(`a${i}`));
    expect(queues.accounts).toBe(1);
    await expect.poll(() => ran.length, { timeout: 2_000 }).toBe(3);
    expect(ran).toEqual(['a0', 'a1', 'a2']);
    await expect.poll(() => queues.accounts, { timeout: 2_000 }).toBe(0);
  });
});
