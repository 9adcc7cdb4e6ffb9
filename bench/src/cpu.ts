/**
 * CPU time per process over a run, from /proc (Linux): which process pays for an event or an
 * action. Every figure in a suite is bounded by the two shared cores, so the cost per item of
 * each process shows where a faster path has to come from.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** utime + stime of a process in seconds; 0 when it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces: the fields after it start past the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Pids of the processes whose name (comm) is `name`. */
function pidsNamed(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

export interface CpuMeter {
  /** CPU seconds of each watched process since the meter was started. */
  read(): Record<string, number>;
}

/**
 * Starts measuring the given processes (label → pid) plus every `nats-server` and
 * `redis-server` of the machine (summed: only the benchmark's ones are busy) and this process
 * (`bench`, the load generator and clients).
 */
export function cpuMeter(processes: Record<string, number | undefined>): CpuMeter {
  const watched: Record<string, number[]> = { bench: [process.pid] };
  for (const [label, pid] of Object.entries(processes))
    if (pid !== undefined) (watched[label] ??= []).push(pid);
  watched['nats-server'] = pidsNamed('nats-server');
  watched['redis-server'] = pidsNamed('redis-server');
  const total = (pids: number[]) => pids.reduce((s, pid) => s + cpuSeconds(pid), 0);
  const start = Object.fromEntries(Object.entries(watched).map(([k, pids]) => [k, total(pids)]));
  return {
    read: () =>
      Object.fromEntries(
        Object.entries(watched).map(([k, pids]) => [k, total(pids) - (start[k] ?? 0)]),
      ),
  };
}

/**
 * "session 310 µs, gateway 120 µs, …; all 430 µs": CPU per item, busiest first, idle
 * processes left out, then the sum over every process.
 */
export function cpuPerItem(seconds: Record<string, number>, items: number): string {
  const each = Object.entries(seconds)
    .filter(([, s]) => s > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k, s]) => `${k} ${Math.round((s / items) * 1e6)} µs`)
    .join(', ');
  return `${each}; all ${Math.round(cpuSum(seconds, items))} µs`;
}

/** CPU per item over every process, in µs. */
export function cpuSum(seconds: Record<string, number>, items: number): number {
  return (Object.values(seconds).reduce((a, b) => a + b, 0) / items) * 1e6;
}
