/**
 * `npm run bench -- events`: the event pipeline, simulated people → session worker → JetStream
 * → gateway → forward-WebSocket clients, against raw JetStream publish-with-ack and raw NATS
 * pub → sub of the same payload measured in the same run.
 *
 * One person says messages in a group of 1, 100 or 1,000 accounts (each message is one event per
 * account): 4 senders, each saying its next message once the last reached every client (the
 * rate the pipeline sustains), or a fixed offered rate; every account has 1 or 10 WebSocket
 * clients. A message carries the time it was said, so each delivery gives a
 * latency. Reported per scenario: events entering the pipeline per second (one per account per
 * message), deliveries per second (× clients), p50 / p99 from saying to receiving. A last run
 * offers fixed rates (100 accounts) for the latency target.
 *
 * The scenarios themselves are in event-scenarios.ts; this file measures the baselines, runs
 * the scenarios in order and reports them against the issue's targets.
 */
import { writeWorld } from '@cqfleet/devcluster';
import { closeAgent, PERSON } from './event-clients.js';
import { type ClusterSuiteOptions, startBenchCluster } from './cluster.js';
import { rawBroadcast, rawNats } from './event-baselines.js';
import {
  BURST,
  burstScenario,
  chosenRuns,
  DRAIN_MS,
  group,
  type Run,
  scenario,
  type ScenarioResult,
  SIZES,
  SOLO,
  solo,
  WINDOW,
} from './event-scenarios.js';
import { cpuMeter } from './cpu.js';
import { accountsOnline } from './scrape.js';
import { perSecond, ms, type Report, table } from './stats.js';
import { wakeUpCost } from './wake-up.js';

/**
 * CPU per event over all processes at 100 accounts × 1 client before issue 20's work (the
 * closed-loop run of 2026-12-04 23:08, bench/README.md), and the issue's target: half of it.
 */
const CPU_BEFORE_US = 256;
const CPU_TARGET_US = CPU_BEFORE_US / 2;

export async function eventsBench(o: ClusterSuiteOptions): Promise<Report> {
  const seconds = o.quick ? 2 : 10;
  const raw = await rawNats(o.natsUrl, o.quick ? 2 : 5);
  const broadcast = await rawBroadcast(10, o.quick ? 2 : 5);
  // One wake-up's CPU before the cluster starts and after its last scenario (wake-up.ts).
  const wakeBefore = await wakeUpCost();
  const uins = Array.from({ length: 1000 }, (_, i) => 60001 + i);
  const world = await writeWorld({
    accounts: uins.map(uin => ({ user_id: uin, nickname: `bot ${uin}` })),
    people: [{ user_id: PERSON, nickname: 'talker' }],
    groups: [
      ...SIZES.map(k => ({
        group_id: group(k),
        group_name: `${k} accounts`,
        max_member_count: 2000,
        members: [
          { user_id: PERSON, role: 'owner' as const },
          ...uins.slice(0, k).map(uin => ({ user_id: uin })),
        ],
      })),
      ...uins.slice(0, SOLO).map(uin => ({
        group_id: solo(uin),
        group_name: `with ${uin}`,
        members: [{ user_id: PERSON, role: 'owner' as const }, { user_id: uin }],
      })),
    ],
  });
  const cluster = await startBenchCluster(`bench-events-${process.pid}`, o, {
    world,
    accounts: uins,
    env: { GATEWAY_HEARTBEAT_INTERVAL_MS: '0' },
  });
  try {
    // Every account online before anything is timed.
    const adminPort = cluster.services.find(s => s.name === 'session-1')!.ready.admin;
    while ((await accountsOnline(adminPort)) < uins.length)
      await new Promise(r => setTimeout(r, 200));
    // What the cluster burns with every account online and nothing happening (lease renewals,
    // heartbeats, pulls): part of every scenario's CPU per event, most of it at low rates.
    const idleMeter = cpuMeter(
      Object.fromEntries(cluster.services.map(s => [s.name, s.child.pid])),
    );
    const idleSeconds = o.quick ? 2 : 5;
    await new Promise(r => setTimeout(r, idleSeconds * 1000));
    const idle = Object.entries(idleMeter.read())
      .filter(([k, v]) => k !== 'bench' && v > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${((v / idleSeconds) * 100).toFixed(1)} %`)
      .join(', ');
    const rows: string[][] = [];
    const cpuRows: Array<{ name: string; cpu: string; sum: number }> = [];
    const row = (name: string, r: ScenarioResult) => {
      cpuRows.push({ name, cpu: r.cpu, sum: r.cpuSum });
      rows.push([
        name,
        perSecond(r.events),
        `${((r.events / raw.jsRate) * 100).toFixed(0)} %`,
        perSecond(r.deliveries),
        ms(r.p50),
        ms(r.p99),
        String(r.lost),
      ]);
    };
    // BENCH_EVENTS_RUNS picks scenarios by hand (see `chosenRuns`); no targets are checked then.
    const chosen = chosenRuns(process.env.BENCH_EVENTS_RUNS);
    // The first run after start-up would also measure the JIT warming up.
    await burstScenario(cluster, 1);
    const burst = chosen ? undefined : await burstScenario(cluster, seconds);
    const burstName = `1 account × 1 client, bursts of ${BURST} (≤ ${WINDOW} undelivered)`;
    if (burst) row(burstName, burst);
    const results: Array<
      { k: number; c: number; rate?: number; spread?: boolean } & ScenarioResult
    > = [];
    // [accounts, clients per account, offered events/s (none: closed loop), spread]
    const runs: Run[] = chosen
      ? chosen
      : o.quick
        ? [
            [1, 1, undefined],
            [100, 1, undefined],
            [100, 1, 1_000, true],
            [100, 1, 1_000],
          ]
        : [
            [1, 1, undefined],
            [1, 10, undefined],
            [100, 1, undefined],
            [100, 10, undefined],
            [1000, 1, undefined],
            [1000, 10, undefined],
            [100, 1, 1_000, true],
            [100, 1, 5_000, true],
            [100, 1, 1_000],
            [100, 1, 5_000],
          ];
    for (const [k, c, rate, spread] of runs) {
      const r = await scenario(cluster, k, c, seconds, rate, spread);
      results.push({ k, c, rate, spread, ...r });
      const load = !rate
        ? ', 4 senders'
        : `, ${perSecond(rate)} offered, ${spread ? 'each message to one account' : `each message to all ${k}`}`;
      row(`${k} account${k > 1 ? 's' : ''} × ${c} client${c > 1 ? 's' : ''}${load}`, r);
    }
    const wakeAfter = await wakeUpCost();
    const wake = (wakeBefore + wakeAfter) / 2;
    const cpuTable = table(
      ['scenario', 'CPU per event', `in wake-ups of ${wake.toFixed(1)} µs`],
      cpuRows.map(r => [r.name, r.cpu, (r.sum / wake).toFixed(1)]),
    );
    const head = [
      'scenario',
      'events/s',
      'vs JetStream publish',
      'deliveries/s',
      'p50',
      'p99',
      `not delivered within ${DRAIN_MS / 1000} s`,
    ];
    if (!burst) {
      const tables = [table(head, rows), cpuTable];
      return { markdown: ['## Events (chosen runs)', ...tables].join('\n\n'), targets: [] };
    }
    const closed = [{ k: 1, c: 1, ...burst }, ...results.filter(r => r.rate === undefined)];
    const best = closed.reduce((a, b) => (b.events > a.events ? b : a));
    const tens = closed.filter(r => r.c === 10);
    const paced = results.find(r => r.rate === 1_000 && r.spread)!;
    const hundred = results.find(r => r.k === 100 && r.c === 1 && r.rate === undefined)!;
    const markdown = [
      '## Events',
      '',
      `Raw baselines in this run (610 B payload): JetStream publish with ack, 256 in flight: **${perSecond(raw.jsRate)}**; core NATS pub → sub: ${perSecond(raw.coreRate)}; a bare \`ws\` server broadcasting to 10 clients: ${perSecond(broadcast)} deliveries. Events are those that reached their clients, counted once per account; deliveries once per client. The first run is one account in bursts from one sender (${BURST} messages per request, at most ${WINDOW} undelivered, after 1 s of the same to warm up), checked for order; then closed loops of 4 senders, each waiting until its last message reached every client; the last ones offer a fixed rate, either as messages each said in the group of one account (round robin over the 100: a steady stream per account) or as messages said in the group of all 100 (bursts of 100 events at once). Latency is from the simulator accepting the message to the client receiving it (both processes' wall clock with a fraction of a ms). ${seconds} s per run.`,
      '',
      table(head, rows),
      '',
      `CPU time per event of each process (/proc utime + stime; \`bench\` is the load generator and the WebSocket clients). Idle, with all ${uins.length} accounts online and nothing said, the processes use: ${idle} of a core. The last column counts the CPU per event in wake-ups: the CPU time one Node process spends woken by a byte over loopback TCP and writing one back (two processes passing a byte to and fro, wake-up.ts), ${wakeBefore.toFixed(1)} µs before the cluster started and ${wakeAfter.toFixed(1)} µs after its last scenario (the column divides by their mean): the same code costs more µs when a wake-up does, so rows compare across runs in wake-ups.`,
      '',
      cpuTable,
    ].join('\n');
    const named = (r: { k: number; c: number }) => `${r.k} account${r.k > 1 ? 's' : ''} × ${r.c}`;
    const inOrder = burst.lost === 0 && burst.regressions === 0;
    const targets = [
      {
        target: 'one account, one client: ≥ 10,000 events/s, in order, none lost or doubled',
        figure: `${perSecond(burst.events)}, ${inOrder ? 'in order, none lost or doubled' : `${burst.lost} lost, ${burst.regressions} late or doubled`}`,
        met: burst.events >= 10_000 && inOrder,
      },
      {
        target: '100 accounts at 1,000 events/s offered: p50 ≤ 3 ms, p99 ≤ 10 ms',
        figure: `p50 ${ms(paced.p50)}, p99 ${ms(paced.p99)} (${perSecond(paced.events)} delivered)`,
        met: paced.p50 <= 3 && paced.p99 <= 10 && paced.lost === 0,
      },
      {
        target: `CPU per event over all processes, 100 accounts × 1 client: ≤ ${CPU_TARGET_US} µs (half of ${CPU_BEFORE_US} µs)`,
        figure: `${Math.round(hundred.cpuSum)} µs (${(hundred.cpuSum / wake).toFixed(1)} wake-ups of ${wake.toFixed(1)} µs)`,
        met: hundred.cpuSum <= CPU_TARGET_US,
      },
      {
        target: 'closed-loop pipeline ≥ 40 % of raw JetStream publish-with-ack',
        figure: `${perSecond(best.events)} (${named(best)}) = ${((best.events / raw.jsRate) * 100).toFixed(0)} % of ${perSecond(raw.jsRate)}`,
        met: best.events >= raw.jsRate * 0.4,
      },
    ];
    const fanOut = tens.reduce<(typeof tens)[number] | undefined>(
      (a, b) => (a && a.deliveries >= b.deliveries ? a : b),
      undefined,
    );
    if (fanOut)
      targets.push({
        target: 'fan-out to 10 clients ≥ 50 % of raw WebSocket broadcast',
        figure: `${perSecond(fanOut.deliveries)} deliveries (${named(fanOut)}) = ${((fanOut.deliveries / broadcast) * 100).toFixed(0)} % of ${perSecond(broadcast)}`,
        met: fanOut.deliveries >= broadcast / 2,
      });
    return { markdown, targets };
  } finally {
    await cluster.stop();
    closeAgent();
  }
}
