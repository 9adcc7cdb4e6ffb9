import { describe, expect, it } from 'vitest';
import { closedLoop, openLoop, percentile, perSecond, rng, table } from '../src/stats.js';

describe('percentile', () => {
  it('takes the nearest rank, whatever the order of the samples', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1
    expect(percentile(samples, 50)).toBe(50);
    expect(percentile(samples, 99)).toBe(99);
    expect(percentile(samples, 100)).toBe(100);
    expect(percentile(samples, 0)).toBe(1);
    expect(samples[0]).toBe(100); // not sorted in place
  });

  it('is NaN without samples, and the sample itself with one', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(percentile([7], 99)).toBe(7);
  });
});

describe('formatting', () => {
  it('writes rates below 10,000/s whole and above in thousands', () => {
    expect(perSecond(999.6)).toBe('1000/s');
    expect(perSecond(22_540)).toBe('22.5k/s');
  });

  it('makes a Markdown table', () => {
    expect(table(['a', 'b'], [[1, 'x']])).toBe('| a | b |\n| --- | --- |\n| 1 | x |');
  });
});

describe('rng', () => {
  it('gives the same numbers for a seed, in [0, 1)', () => {
    const a = rng(42);
    const b = rng(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(xs.every(x => x >= 0 && x < 1)).toBe(true);
    expect(rng(43)()).not.toBe(xs[0]);
  });
});

describe('loads', () => {
  it('an open loop starts rate × duration calls, however long they take', async () => {
    let calls = 0;
    // 1,000/s over 100 ms is 5 per 5 ms slot: exactly 100, slow answers or not.
    const load = await openLoop(1_000, 100, async () => {
      calls++;
      await new Promise(r => setTimeout(r, 20));
    });
    expect(calls).toBe(100);
    expect(load.errors).toBe(0);
  });

  it('counts a call that answers false or throws as an error', async () => {
    let n = 0;
    const load = await openLoop(1_000, 20, async () => {
      n++;
      if (n % 4 === 0) throw new Error('refused');
      return n % 4 !== 1;
    });
    // 20 calls: n ≡ 0 throws, n ≡ 1 answers false.
    expect(load.errors).toBe(10);
    const closed = await closedLoop(2, 30, async () => false);
    expect(closed.n).toBeGreaterThan(0);
    expect(closed.errors).toBe(closed.n);
  });
});
