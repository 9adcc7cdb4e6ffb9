import { describe, expect, it } from 'vitest';
import { cpuMeter, cpuPerItem, cpuSeconds, cpuSum } from '../src/cpu.js';

describe('CPU per item', () => {
  it('lists the processes busiest first, leaves idle ones out, and sums them all', () => {
    const seconds = { gateway: 0.02, session: 0.05, media: 0 };
    expect(cpuPerItem(seconds, 1_000)).toBe('session 50 µs, gateway 20 µs; all 70 µs');
    expect(cpuSum(seconds, 1_000)).toBeCloseTo(70);
  });
});

/** Keeps this process busy until it has used `ms` more of CPU time (however loaded the machine). */
function spin(ms: number): void {
  const start = process.cpuUsage();
  for (;;) {
    const used = process.cpuUsage(start);
    if (used.user + used.system >= ms * 1000) return;
  }
}

describe('CPU time from /proc', () => {
  it('grows with the work a process does, and is 0 for a process that is gone', () => {
    const before = cpuSeconds(process.pid);
    const meter = cpuMeter({});
    spin(150);
    // /proc counts in ticks of 10 ms.
    expect(cpuSeconds(process.pid) - before).toBeGreaterThanOrEqual(0.1);
    expect(meter.read().bench).toBeGreaterThanOrEqual(0.1);
    expect(cpuSeconds(2 ** 31 - 1)).toBe(0);
  });
});
