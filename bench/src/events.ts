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
 * offers a fixed 5,000 events/s (100 accounts) for the latency target.
 */
import { Agent, request } from 'node:http';
import { Namespace } from '@cqfleet/contracts';
import { type RunningCluster, writeWorld } from '@cqfleet/devcluster';
import { connectNats, createLogger, ensureEventStream } from '@cqfleet/runtime';
import { jetstream } from '@nats-io/jetstream';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { type ClusterSuiteOptions, startBenchCluster } from './cluster.js';
import { cpuMeter, cpuPerItem } from './cpu.js';
import { accountsOnline, metric } from './scrape.js';
import { percentile, perSecond, ms, type Report, table } from './stats.js';

const PERSON = 20001;
const SIZES = [1, 100, 1000] as const;
const group = (k: number) => 900000 + k;
const PAYLOAD = Buffer.alloc(610, 'x');
/** The longest a run waits for its backlog to reach the clients. */
const DRAIN_MS = 20_000;

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

/** Raw JetStream publish with ack, 256 in flight, and raw core pub → sub, in events/s. */
async function rawNats(natsUrl: string, seconds: number) {
  const log = createLogger('bench', 'warn');
  const nc = await connectNats(natsUrl, 'bench raw', log);
  const ns = new Namespace(`bench-raw-${process.pid}`);
  await ensureEventStream(nc, ns);
  const js = jetstream(nc);
  let acked = 0;
  const until = performance.now() + seconds * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: 256 }, async () => {
      while (performance.now() < until) {
        await js.publish(ns.eventSubject(1, 'message'), PAYLOAD);
        acked++;
      }
    }),
  );
  const jsRate = acked / ((performance.now() - start) / 1000);
  let received = 0;
  const sub = nc.subscribe('bench.raw.core', {
    callback: () => {
      received++;
    },
  });
  const coreStart = performance.now();
  const coreUntil = coreStart + seconds * 1000;
  let sent = 0;
  while (performance.now() < coreUntil) {
    for (let i = 0; i < 1000; i++) nc.publish('bench.raw.core', PAYLOAD);
    sent += 1000;
    await nc.flush();
  }
  await nc.flush();
  const coreRate = received / ((performance.now() - coreStart) / 1000);
  sub.unsubscribe();
  const jsm = await js.jetstreamManager();
  await jsm.streams.delete(ns.eventStream).catch(() => false);
  await nc.drain();
  return { jsRate, coreRate, sent };
}

/**
 * Raw WebSocket broadcast: a bare `ws` server sending the event frame to `clients` connections
 * (in this process, as the benchmark's clients are), 200 frames at a time, the next burst once
 * every client has the last one. In deliveries per second.
 */
async function rawBroadcast(clients: number, seconds: number): Promise<number> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise(r => wss.once('listening', r));
  const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  const frame = `${JSON.stringify({ post_type: 'message', raw_message: PAYLOAD.toString() })}\n`;
  let received = 0;
  let wanted = 0;
  let wake = () => undefined as void;
  const sockets = await Promise.all(
    Array.from({ length: clients }, async () => {
      const ws = new WebSocket(url);
      ws.on('message', () => {
        if (++received >= wanted) wake();
      });
      await new Promise(r => ws.once('open', r));
      return ws;
    }),
  );
  const start = performance.now();
  const until = start + seconds * 1000;
  while (performance.now() < until) {
    wanted = received + 200 * clients;
    const all = new Promise<void>(r => (wake = r));
    for (let i = 0; i < 200; i++) for (const peer of wss.clients) peer.send(frame);
    await all;
  }
  const rate = received / ((performance.now() - start) / 1000);
  sockets.forEach(ws => ws.close());
  wss.close();
  return rate;
}

interface Clients {
  latencies: number[];
  deliveries: number;
  /** Resolves when message `n` has reached `count` clients (false after `ms`). */
  delivered(n: number, count: number, ms: number): Promise<boolean>;
  close(): void;
}

async function connect(
  wsUrl: string,
  uins: number[],
  perAccount: number,
  run: string,
): Promise<Clients> {
  const mark = `bench@${run}@`;
  const perMessage = new Map<number, number>();
  const waiting = new Map<number, { count: number; done: (ok: boolean) => void }>();
  const c: Clients = {
    latencies: [],
    deliveries: 0,
    delivered: (n, count, ms) =>
      (perMessage.get(n) ?? 0) >= count
        ? Promise.resolve(true)
        : new Promise(resolve => {
            const timer = setTimeout(() => {
              waiting.delete(n);
              resolve(false);
            }, ms);
            waiting.set(n, {
              count,
              done: ok => {
                clearTimeout(timer);
                resolve(ok);
              },
            });
          }),
    close: () => undefined,
  };
  const sockets: WebSocket[] = [];
  for (const uin of uins)
    for (let i = 0; i < perAccount; i++) {
      const ws = new WebSocket(`${wsUrl}/${uin}/event`);
      ws.on('message', data => {
        const text = String(data);
        const at = text.indexOf(mark);
        if (at < 0) return; // another run's backlog, or not a bench message
        c.deliveries++;
        const stamp = text.slice(at + mark.length);
        c.latencies.push(Date.now() - Number(stamp.slice(0, 13)));
        const n = Number(/^\d+#(\d+)/.exec(stamp)?.[1]);
        const got = (perMessage.get(n) ?? 0) + 1;
        perMessage.set(n, got);
        const w = waiting.get(n);
        if (w && got >= w.count) {
          waiting.delete(n);
          w.done(true);
        }
      });
      sockets.push(ws);
    }
  await Promise.all(sockets.map(ws => new Promise(r => ws.once('open', r))));
  c.close = () => sockets.forEach(ws => ws.close());
  return c;
}

const agent = new Agent({ keepAlive: true, maxSockets: 8 });

function say(simulatorUrl: string, groupId: number, run: string, n: number): Promise<void> {
  const body = JSON.stringify({ group_id: groupId, message: `bench@${run}@${Date.now()}#${n}` });
  return new Promise((resolve, reject) => {
    const req = request(
      `${simulatorUrl}/people/${PERSON}/send_group_msg`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
      res => {
        res.resume();
        res.on('end', () => resolve());
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

type ScenarioResult = Awaited<ReturnType<typeof scenario>>;

async function scenario(
  cluster: RunningCluster,
  k: number,
  perAccount: number,
  seconds: number,
  ratePerSecond?: number,
) {
  const uins = Array.from({ length: k }, (_, i) => 60001 + i);
  const run = `${k}x${perAccount}x${ratePerSecond ?? 0}`;
  const clients = await connect(cluster.wsUrl, uins, perAccount, run);
  const cpu = cpuMeter(Object.fromEntries(cluster.services.map(s => [s.name, s.child.pid])));
  let said = 0;
  const until = performance.now() + seconds * 1000;
  const start = performance.now();
  if (ratePerSecond) {
    // Open loop: the messages of each 10 ms slot, whatever the answers take.
    const perSlot = ratePerSecond / k / 100;
    let owed = 0;
    const pending: Array<Promise<void>> = [];
    while (performance.now() < until) {
      owed += perSlot;
      for (; owed >= 1; owed--, said++)
        pending.push(say(cluster.simulatorUrl, group(k), run, said));
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
          await say(cluster.simulatorUrl, group(k), run, n);
          if (!(await clients.delivered(n, k * perAccount, DRAIN_MS))) break;
        }
      }),
    );
  }
  const elapsed = (performance.now() - start) / 1000;
  // Let the pipeline finish what it was handed.
  const expected = said * k * perAccount;
  const deadline = performance.now() + DRAIN_MS;
  while (clients.deliveries < expected && performance.now() < deadline)
    await new Promise(r => setTimeout(r, 50));
  const drained = (performance.now() - start) / 1000;
  const cpuSeconds = cpu.read();
  clients.close();
  // What this run left in the pipeline must not slow the next one.
  await settle(cluster);
  return {
    // Events that reached their clients, once per account.
    events: clients.deliveries / perAccount / drained,
    offered: (said * k) / elapsed,
    deliveries: clients.deliveries / drained,
    lost: expected - clients.deliveries,
    cpu: cpuPerItem(cpuSeconds, clients.deliveries / perAccount),
    p50: percentile(clients.latencies, 50),
    p99: percentile(clients.latencies, 99),
  };
}

export async function eventsBench(o: ClusterSuiteOptions): Promise<Report> {
  const seconds = o.quick ? 2 : 10;
  const raw = await rawNats(o.natsUrl, o.quick ? 2 : 5);
  const broadcast = await rawBroadcast(10, o.quick ? 2 : 5);
  const uins = Array.from({ length: 1000 }, (_, i) => 60001 + i);
  const world = await writeWorld({
    accounts: uins.map(uin => ({ user_id: uin, nickname: `bot ${uin}` })),
    people: [{ user_id: PERSON, nickname: 'talker' }],
    groups: SIZES.map(k => ({
      group_id: group(k),
      group_name: `${k} accounts`,
      max_member_count: 2000,
      members: [
        { user_id: PERSON, role: 'owner' },
        ...uins.slice(0, k).map(uin => ({ user_id: uin })),
      ],
    })),
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
    const cpuRows: string[][] = [];
    const results: Array<{ k: number; c: number; rate?: number } & ScenarioResult> = [];
    const runs: Array<[number, number, number | undefined]> = o.quick
      ? [
          [1, 1, undefined],
          [100, 1, undefined],
          [100, 1, 5_000],
        ]
      : [
          [1, 1, undefined],
          [1, 10, undefined],
          [100, 1, undefined],
          [100, 10, undefined],
          [1000, 1, undefined],
          [1000, 10, undefined],
          [100, 1, 1_000],
          [100, 1, 5_000],
        ];
    for (const [k, c, rate] of runs) {
      const r = await scenario(cluster, k, c, seconds, rate);
      results.push({ k, c, rate, ...r });
      const name = `${k} account${k > 1 ? 's' : ''} × ${c} client${c > 1 ? 's' : ''}${rate ? `, ${perSecond(rate)} offered` : ''}`;
      cpuRows.push([name, r.cpu]);
      rows.push([
        name,
        perSecond(r.events),
        `${((r.events / raw.jsRate) * 100).toFixed(0)} %`,
        perSecond(r.deliveries),
        ms(r.p50),
        ms(r.p99),
        String(r.lost),
      ]);
    }
    const closed = results.filter(r => r.rate === undefined);
    const best = closed.reduce((a, b) => (b.events > a.events ? b : a));
    const tens = closed.filter(r => r.c === 10);
    const paced = results.find(r => r.rate === 5_000)!;
    const markdown = [
      '## Events',
      '',
      `Raw baselines in this run (610 B payload): JetStream publish with ack, 256 in flight: **${perSecond(raw.jsRate)}**; core NATS pub → sub: ${perSecond(raw.coreRate)}; a bare \`ws\` server broadcasting to 10 clients: ${perSecond(broadcast)} deliveries. Events are those that reached their clients, counted once per account; deliveries once per client. The first runs are closed loops (4 senders, each waiting until its last message reached every client); the last ones offer a fixed rate. Latency is from the simulator accepting the message to the client receiving it (ms clock). ${seconds} s per run.`,
      '',
      table(
        [
          'scenario',
          'events/s',
          'vs JetStream publish',
          'deliveries/s',
          'p50',
          'p99',
          `not delivered within ${DRAIN_MS / 1000} s`,
        ],
        rows,
      ),
      '',
      `CPU time per event of each process (/proc utime + stime; \`bench\` is the load generator and the WebSocket clients). Idle, with all ${uins.length} accounts online and nothing said, the processes use: ${idle} of a core.`,
      '',
      table(['scenario', 'CPU per event'], cpuRows),
    ].join('\n');
    const named = (r: { k: number; c: number }) => `${r.k} account${r.k > 1 ? 's' : ''} × ${r.c}`;
    const targets = [
      {
        target: 'event pipeline ≥ 50 % of raw JetStream publish-with-ack',
        figure: `${perSecond(best.events)} (${named(best)}) = ${((best.events / raw.jsRate) * 100).toFixed(0)} % of ${perSecond(raw.jsRate)}`,
        met: best.events >= raw.jsRate / 2,
      },
      {
        target: 'event pipeline p99 ≤ 10 ms at 5,000 events/s',
        figure: `p99 ${ms(paced.p99)}, p50 ${ms(paced.p50)} (${perSecond(paced.events)} delivered)`,
        met: paced.p99 <= 10 && paced.lost === 0,
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
    agent.destroy();
  }
}
