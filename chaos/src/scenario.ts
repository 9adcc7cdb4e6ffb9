/**
 * The chaos run: start the fleet (fleet.ts) and its watchers (observers.ts), wait until every
 * account is online and delivering to every receiver, start steady traffic (traffic.ts), then
 * do the faults (faults.ts) one after another, a fixed phase apart, let the last deliveries
 * arrive, and count (report.ts).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimControl } from '@cqfleet/sim-client';
import { faults } from './faults.js';
import { ACCOUNTS, type Fleet, startFleet } from './fleet.js';
import {
  EVENT_TEXT_PREFIX,
  ForwardWsClient,
  HttpPostObserver,
  ReverseWsObserver,
} from './observers.js';
import { evaluate, type Phase, type PhaseResult } from './report.js';
import { ActionTraffic, Executions, PeopleTraffic } from './traffic.js';

export interface ChaosOptions {
  /** Seconds from one fault to the next. @default 30 */
  phaseSeconds?: number;
  /** Texts said per second (each an event for every account). @default 10 */
  eventsPerSecond?: number;
  /** Actions per second. @default 5 */
  actionsPerSecond?: number;
  /** Where the servers' files and the cluster's log go; a new temporary directory if absent. */
  dir?: string;
  /** Extra environment for every service. */
  env?: Record<string, string>;
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface ChaosReport {
  dir: string;
  results: PhaseResult[];
  /** Texts the simulator refused (it is not faulted: expected none). */
  refused: number;
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Until `probe` answers, every 200 ms, for at most `timeoutMs`. */
async function until(what: string, timeoutMs: number, probe: () => Promise<boolean> | boolean) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await probe()) return;
    await sleep(200);
  }
  throw new Error(`chaos: ${what} not within ${timeoutMs} ms`);
}

/** The session lease TTL the services run with (their default unless `env` sets it). */
function leaseTtl(env: Record<string, string> | undefined): number {
  return Number(env?.SESSION_LEASE_TTL_MS ?? 6_000);
}

export async function runChaos(options: ChaosOptions = {}): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined);
  const phaseMs = (options.phaseSeconds ?? 30) * 1000;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'cqfleet-chaos-')));
  const httpPost = new HttpPostObserver();
  const reverseWs = new ReverseWsObserver();
  const endpoints = { httpPost: await httpPost.start(), wsReverse: await reverseWs.start() };
  let fleet: Fleet | undefined;
  const forward: ForwardWsClient[] = [];
  try {
    log(`starting the fleet in ${dir}`);
    fleet = await startFleet({ dir, endpoints, env: options.env });
    const f = fleet;
    const sim = new SimControl(f.simulatorUrl);
    const people = new PeopleTraffic(sim);

    // Ready: every account's events reach both receivers.
    let warm = 0;
    await until('every account delivering', 60_000, async () => {
      const text = `${EVENT_TEXT_PREFIX}warm-up ${warm++}`;
      await people.say(text);
      await sleep(300);
      return people.sent.some(e =>
        ACCOUNTS.every(
          a =>
            httpPost.tally.count(`${a}|${e.text}`) > 0 &&
            reverseWs.tally.count(`${a}|${e.text}`) > 0,
        ),
      );
    });
    people.sent.length = 0;
    for (const g of f.gateways)
      for (const a of ACCOUNTS) {
        const c = new ForwardWsClient(`${g.name}/${a}`, a, `${g.wsUrl}/${a}/`);
        c.start();
        forward.push(c);
      }
    await until('forward WebSockets open', 10_000, () => forward.every(c => c.windows.length > 0));
    const actions = new ActionTraffic(f.gateways, ACCOUNTS);
    const executions = new Executions(sim);
    people.start(options.eventsPerSecond ?? 10);
    actions.start(options.actionsPerSecond ?? 5);
    executions.start();

    const phases: Phase[] = [];
    let t0 = Date.now();
    log('steady traffic, no fault');
    await sleep(phaseMs / 2);
    phases.push({ name: 'steady, no fault', detail: '', t0, end: Date.now() });
    for (const fault of faults(leaseTtl(options.env))) {
      await fault.prepare?.(f);
      t0 = Date.now();
      const detail = await fault.inject(f);
      log(`${fault.name}: ${detail}`);
      await sleep(fault.holdMs);
      await fault.heal?.(f);
      await sleep(Math.max(0, t0 + phaseMs - Date.now()));
      phases.push({ name: fault.name, detail, t0, end: Date.now() });
    }

    log('stopping the traffic; waiting for the last deliveries');
    await people.stop();
    await actions.stop();
    const expected = people.sent.flatMap(e => ACCOUNTS.map(a => `${a}|${e.text}`));
    await until('the last deliveries', 30_000, () =>
      expected.every(k => httpPost.tally.count(k) > 0 && reverseWs.tally.count(k) > 0),
    ).catch(() => log('some events never arrived (counted as lost)'));
    await sleep(2_000);
    const runEnd = Date.now();
    for (const c of forward) c.stop();
    const observed = {
      accounts: ACCOUNTS,
      sent: people.sent,
      httpPost: httpPost.tally,
      reverseWs: reverseWs.tally,
      forward,
      actions: actions.actions,
      executions: await executions.finish(),
      runEnd,
    };
    // The last phase ends with the traffic.
    return {
      dir,
      results: phases.map(p => evaluate(p, observed)),
      refused: people.refused.length,
    };
  } finally {
    for (const c of forward) c.stop();
    await fleet?.stop();
    await httpPost.stop();
    await reverseWs.stop();
  }
}
