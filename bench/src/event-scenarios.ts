/**
 * The events suite's scenarios (events.ts puts them together): one busy account driven in
 * bursts, and closed or paced loops over 1, 100 or 1,000 accounts with 1 or 10 clients each.
 * Each returns rates, latencies and the CPU per event of every process, and leaves the
 * pipeline empty for the next one.
 */
import type { RunningCluster } from '@cqfleet/devcluster';
import { type Clients, connect, latencies, say, sayBurst } from './event-clients.js';
import { type CpuMeter, cpuMeter, cpuPerItem, cpuSum } from './cpu.js';
import { metric } from './scrape.js';
import { percentile } from './stats.js';

export const SIZES = [1, 100, 1000] as const;
export const group = (k: number) => 900000 + k;
/** Accounts that also have a group of their own (the person and that account only). */
export const SOLO = 100;
export const solo = (uin: number) => 800000 + uin;
/** The longest a run waits for its backlog to reach the clients. */
export const DRAIN_MS = 20_000;

/** Waits until the gateway's event counter stops moving (the backlog is through). */
async function settle(cluster: RunningCluster): Promise<void> {
  const admin = cluster.services.find(s => s.name === 'gateway')!.ready.admin;
  let last = -1;
  for (let i = 0; i < 120; i++) {
    const now = await metric(admin, 'cqfleet_gateway_events_received_total');
    if (now === last) return;
    last = now;
    await new Promise(r => setTimeout(r, 500));
  }
}

export type ScenarioResult = Awaited<ReturnType<typeof scenario>>;

/**
 * Ends a run: waits (up to DRAIN_MS) for the `expected` deliveries, reads the CPU meter, closes
 * the clients and lets the cluster settle, so that what this run left in the pipeline does not
 * slow the next one. `drained` is the seconds from `start` until the wait ended.
 */
async function finish(
  cluster: RunningCluster,
  clients: Clients,
  cpu: CpuMeter,
  expected: number,
  start: number,
): Promise<{ drained: number; cpuSeconds: Record<string, number> }> {
  const deadline = performance.now() + DRAIN_MS;
  while (clients.deliveries < expected && performance.now() < deadline)
    await new Promise(r => setTimeout(r, 20));
  const drained = (performance.now() - start) / 1000;
  const cpuSeconds = cpu.read();
  clients.close();
  await settle(cluster);
  return { drained, cpuSeconds };
}

const percentiles = (samples: number[]) => ({
  p50: percentile(samples, 50),
  p99: percentile(samples, 99),
});

/** Messages per burst request, and the most said but not yet delivered, in the burst run. */
export const BURST = 250;
export const WINDOW = 2_000;

/**
 * One busy account: one person says numbered messages in a group of that account alone, in
 * bursts of BURST per request, one request after another, keeping at most WINDOW messages
 * undelivered (a closed loop as wide as the JetStream baseline's, which keeps 256 in flight).
 * One sender in sequence, so the client must get every `n` once and in increasing order.
 */
export async function burstScenario(cluster: RunningCluster, seconds: number) {
  const run = `1x1xburst${seconds}`;
  const clients = await connect(cluster.wsUrl, [60001], 1, run);
  const cpu = cpuMeter(Object.fromEntries(cluster.services.map(s => [s.name, s.child.pid])));
  let said = 0;
  const accepted = new Map<number, number>();
  const start = performance.now();
  const until = start + seconds * 1000;
  while (performance.now() < until) {
    const mustHave = said + BURST - WINDOW - 1;
    if (mustHave >= 0 && !(await clients.delivered(mustHave, 1, DRAIN_MS))) break;
    const at = await sayBurst(cluster.simulatorUrl, group(1), run, said, BURST);
    for (let i = 0; i < BURST; i++) accepted.set(said + i, at);
    said += BURST;
  }
  const { drained, cpuSeconds } = await finish(cluster, clients, cpu, said, start);
  return {
    events: clients.deliveries / drained,
    offered: said / drained,
    deliveries: clients.deliveries / drained,
    lost: said - clients.deliveries,
    regressions: clients.regressions,
    cpu: cpuPerItem(cpuSeconds, clients.deliveries),
    cpuSum: cpuSum(cpuSeconds, clients.deliveries),
    ...percentiles(latencies(clients, accepted)),
  };
}

/** [accounts, clients per account, offered events/s (none: closed loop), spread] */
export type Run = [number, number, number | undefined, boolean?];

/**
 * Scenarios named by hand, for looking at one of them: `100x1` (closed loop), `100x1x1000s`
 * (1,000/s offered, each message to one account), `100x1x1000` (to all 100); a name may repeat.
 */
export function chosenRuns(spec: string | undefined): Run[] | undefined {
  if (!spec) return undefined;
  return spec.split(',').map(name => {
    const m = /^(\d+)x(\d+)(?:x(\d+)(s?))?$/.exec(name.trim());
    if (!m) throw new Error(`BENCH_EVENTS_RUNS: not a scenario: ${name}`);
    return [Number(m[1]), Number(m[2]), m[3] ? Number(m[3]) : undefined, m[4] === 's'];
  });
}

export async function scenario(
  cluster: RunningCluster,
  k: number,
  perAccount: number,
  seconds: number,
  ratePerSecond?: number,
  /** Each message in the group of one account (round robin), not in the group of all `k`. */
  spread = false,
) {
  const uins = Array.from({ length: k }, (_, i) => 60001 + i);
  const run = `${k}x${perAccount}x${ratePerSecond ?? 0}${spread ? 's' : ''}`;
  const perMessage = spread ? 1 : k;
  const target = (n: number) => (spread ? solo(uins[n % k]!) : group(k));
  const clients = await connect(cluster.wsUrl, uins, perAccount, run);
  const cpu = cpuMeter(Object.fromEntries(cluster.services.map(s => [s.name, s.child.pid])));
  let said = 0;
  const accepted = new Map<number, number>();
  const sayN = async (n: number) =>
    accepted.set(n, await say(cluster.simulatorUrl, target(n), run, n));
  const until = performance.now() + seconds * 1000;
  const start = performance.now();
  if (ratePerSecond) {
    // Open loop: every 10 ms, the messages due by then, whatever the answers take. What is
    // due follows the clock, not the count of slots: a timer of 10 ms fires after 10.5–11 ms
    // here, and a fixed number per slot offered about 93 % of the rate.
    const messagesPerSecond = ratePerSecond / perMessage;
    const pending: Array<Promise<unknown>> = [];
    while (performance.now() < until) {
      const due = Math.floor(((performance.now() - start) / 1000) * messagesPerSecond) + 1;
      for (; said < due; said++) pending.push(sayN(said));
      await new Promise(r => setTimeout(r, 10));
    }
    await Promise.all(pending);
  } else {
    // Closed loop with back-pressure: each of 4 senders says its next message once the last
    // one reached every client, so the pipeline runs at the rate it sustains.
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (performance.now() < until) {
          const n = said++;
          await sayN(n);
          if (!(await clients.delivered(n, k * perAccount, DRAIN_MS))) break;
        }
      }),
    );
  }
  const elapsed = (performance.now() - start) / 1000;
  // Let the pipeline finish what it was handed.
  const expected = said * perMessage * perAccount;
  const { drained, cpuSeconds } = await finish(cluster, clients, cpu, expected, start);
  return {
    // Events that reached their clients, once per account.
    events: clients.deliveries / perAccount / drained,
    offered: (said * perMessage) / elapsed,
    deliveries: clients.deliveries / drained,
    lost: expected - clients.deliveries,
    regressions: clients.regressions,
    cpu: cpuPerItem(cpuSeconds, clients.deliveries / perAccount),
    cpuSum: cpuSum(cpuSeconds, clients.deliveries / perAccount),
    ...percentiles(latencies(clients, accepted)),
  };
}
