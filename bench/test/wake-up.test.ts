import { describe, expect, it } from 'vitest';
import { wakeUpCost } from '../src/wake-up.js';

describe('wake-up baseline', () => {
  it('measures the CPU of one wake-up as a positive figure of microseconds', async () => {
    const us = await wakeUpCost(2_000, 200);
    expect(Number.isFinite(us)).toBe(true);
    // A wake-up costs a few to a few hundred µs on any machine; a unit slip would be ×1000.
    expect(us).toBeGreaterThan(0.5);
    expect(us).toBeLessThan(5_000);
  });

  it('fails, not hangs, when the echoing process cannot start or exits at once', async () => {
    await expect(wakeUpCost(10, 1, '/nonexistent/node')).rejects.toThrow('ENOENT');
    await expect(wakeUpCost(10, 1, 'false')).rejects.toThrow('the echo process exited (1)');
  });
});
