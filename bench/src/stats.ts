/** Timing and summary helpers shared by the benchmarks. */

/** The p-th percentile (0–100) of samples, by nearest rank. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export interface Latency {
  n: number;
  p50: number;
  p99: number;
  /** Operations per second, one at a time. */
  rate: number;
}

/**
 * Runs `op` one call at a time: `warmup` calls first (not counted), then `n` timed calls.
 * `op` gets the call number, so it can pick its input. The warm-up is at most a quarter of `n`.
 */
export async function timeSequential(
  n: number,
  op: (i: number) => Promise<unknown>,
  warmup = Math.min(1_000, Math.ceil(n / 4)),
): Promise<Latency> {
  for (let i = 0; i < warmup; i++) await op(i);
  const samples: number[] = [];
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await op(i);
    samples.push(performance.now() - t);
  }
  const seconds = (performance.now() - start) / 1000;
  return { n, p50: percentile(samples, 50), p99: percentile(samples, 99), rate: n / seconds };
}

export const ms = (v: number) => `${v.toFixed(3)} ms`;
export const ratio = (v: number, base: number) => `${(v / base).toFixed(1)}×`;
export const perSecond = (v: number) =>
  v >= 10_000 ? `${(v / 1000).toFixed(1)}k/s` : `${v.toFixed(0)}/s`;

/** A Markdown table. */
export function table(head: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A small deterministic PRNG (mulberry32), so every run generates the same data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Load {
  /** Operations completed per second. */
  rate: number;
  p50: number;
  p99: number;
  n: number;
  errors: number;
}

function loadOf(samples: number[], errors: number, seconds: number): Load {
  return {
    rate: samples.length / seconds,
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    n: samples.length,
    errors,
  };
}

/**
 * Closed-loop load: `concurrency` callers each run `op` back to back for `ms` (after a warm-up
 * of a tenth of that). An op that throws or resolves false counts as an error.
 */
export async function closedLoop(
  concurrency: number,
  ms: number,
  op: () => Promise<unknown>,
): Promise<Load> {
  const run = async (until: number, samples?: number[]) => {
    let errors = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < until) {
          const t = performance.now();
          const ok = await op().then(
            r => r !== false,
            () => false,
          );
          if (!ok) errors++;
          samples?.push(performance.now() - t);
        }
      }),
    );
    return errors;
  };
  await run(performance.now() + ms / 10);
  const samples: number[] = [];
  const start = performance.now();
  const errors = await run(start + ms, samples);
  const seconds = (performance.now() - start) / 1000;
  return loadOf(samples, errors, seconds);
}

/**
 * Open-loop load: `op` is started `rate` times a second for `ms`, spread over 5 ms slots,
 * whatever the answers take (so a slow system shows as latency, not as a lower offered rate).
 * Latency is from the planned start of each call.
 */
export async function openLoop(
  rate: number,
  ms: number,
  op: () => Promise<unknown>,
): Promise<Load> {
  const samples: number[] = [];
  let errors = 0;
  const pending: Array<Promise<void>> = [];
  const start = performance.now();
  const perSlot = (rate * 5) / 1000;
  let owed = 0;
  for (let slot = 0; slot * 5 < ms; slot++) {
    const planned = start + slot * 5;
    const wait = planned - performance.now();
    if (wait > 0) await new Promise(r => setTimeout(r, wait));
    owed += perSlot;
    for (; owed >= 1; owed--)
      pending.push(
        op().then(
          r => {
            if (r === false) errors++;
            samples.push(performance.now() - planned);
          },
          () => {
            errors++;
            samples.push(performance.now() - planned);
          },
        ),
      );
  }
  await Promise.all(pending);
  const seconds = (performance.now() - start) / 1000;
  return loadOf(samples, errors, seconds);
}

/** A table row: name, rate, p50, p99 and the rate as a share of `base` (a baseline's rate). */
export const rateRow = (
  name: string,
  l: { rate: number; p50: number; p99: number },
  base?: number,
): string[] => [
  name,
  perSecond(l.rate),
  ms(l.p50),
  ms(l.p99),
  base === undefined ? '—' : `${((l.rate / base) * 100).toFixed(0)} %`,
];

/** One of the targets, as a suite measured it. */
export interface Target {
  target: string;
  /** What this run measured, with its baseline. */
  figure: string;
  met: boolean;
}

/** What a suite hands back: its Markdown section and the targets it checked. */
export interface Report {
  markdown: string;
  targets: Target[];
}
