/**
 * The simulator's events wait in a bounded backlog per account (AccountRuntime, SIMULATOR_BACKLOG):
 * while NATS does not take them, an account holds at most that many, refusing the rest without
 * losing them — once the backlog is published its driver reconnects and the simulator replays
 * from the last event taken, so the stream ends up with every event, in order, each once.
 *
 * Events refused for longer than the simulator's log keeps are lost to the replay: the gap is
 * counted, never silent.
 *
 * A real simulator (a test cluster whose session worker does not own account 10002; its log
 * kept small, SIM_EVENT_LOG_SIZE), real Redis, and real JetStream reached through a TCP proxy
 * that goes silent, then breaks.
 */
import { EVENT_ID_HEADER, type Lease, Namespace } from '@cqfleet/contracts';
import {
  connectNats,
  connectRedis,
  counter,
  createLogger,
  ensureEventStream,
  LeaseStore,
  type NatsConnection,
  onNatsStatus,
  type Redis,
  StreamPublisher,
} from '@cqfleet/runtime';
import { SimControl } from '@cqfleet/sim-client';
import {
  startTcpProxy,
  startTestCluster,
  type TcpProxy,
  type TestCluster,
  testInfra,
  uniqueNamespace,
  waitFor,
} from '@cqfleet/testkit';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountRuntime } from '../src/account.js';
import type { DriverState } from '../src/driver/index.js';
import { storedEventIds } from '../src/events/stored-ids.js';

const UIN = 10002;
const GROUP = 100100;
const SENDER = 20001;
/** A bound small enough to reach with a few dozen messages. */
const BACKLOG = 20;
/**
 * The simulator's log per account (SIM_EVENT_LOG_SIZE), small enough to outlast with a few
 * hundred messages, and larger than what the first test has it replay (~45 events).
 */
const SIM_LOG = 100;

const log = createLogger('test', process.env.CQFLEET_TEST_LOGS ? 'debug' : 'silent');
let cluster: TestCluster;
let nc: NatsConnection;
let redis: Redis;
let ns: Namespace;

beforeAll(async () => {
  // The cluster's worker owns 10001 only: 10002 is this test's.
  cluster = await startTestCluster({
    accounts: [10001],
    env: { SIM_EVENT_LOG_SIZE: String(SIM_LOG) },
  });
  nc = await connectNats(testInfra().natsUrl, 'test', log);
  redis = connectRedis(testInfra().redisUrl, 'test', log);
  ns = new Namespace(uniqueNamespace('simbacklog'));
  await ensureEventStream(nc, ns, { storage: 'memory' });
});

afterAll(async () => {
  await (await jetstreamManager(nc)).streams.delete(ns.eventStream).catch(() => false);
  await nc?.drain();
  redis?.disconnect();
  await cluster?.stop();
});

/** The text of every group message of UIN in the stream starting with `prefix`, in stream order. */
async function storedTexts(prefix: string): Promise<string[]> {
  const jsm = await jetstreamManager(nc);
  const last = (await jsm.streams.info(ns.eventStream)).state.last_seq;
  const out: string[] = [];
  for (let seq = 1; seq <= last; seq++) {
    const m = await jsm.streams.getMessage(ns.eventStream, { seq }).catch(() => null);
    if (m?.subject !== ns.eventSubject(UIN, 'message')) continue;
    expect(m.header.get(EVENT_ID_HEADER)).not.toBe('');
    for (const line of m.string().split('\n')) {
      const text = (JSON.parse(line) as { raw_message: string }).raw_message;
      if (text.startsWith(prefix)) out.push(text);
    }
  }
  return out;
}

/** An account of this test's (UIN) over a NATS connection through `proxy`, and its lease. */
async function ownAccount(onState?: (state: DriverState) => void) {
  const target = new URL(testInfra().natsUrl);
  const proxy: TcpProxy = await startTcpProxy({
    host: target.hostname,
    port: Number(target.port),
  });
  const pnc = await connectNats(`nats://127.0.0.1:${proxy.port}`, 'test-proxied', log);
  const publisher = new StreamPublisher(pnc, 1_000);
  const leases = new LeaseStore(redis);
  const fence = await leases.acquire(ns.leaseKey(UIN), ns.fenceKey(UIN), 'test', 60_000);
  const lease: Lease = { workerId: 'test', fence: fence! };
  const account = new AccountRuntime(
    { uin: UIN, driver: 'simulator', options: { url: cluster.simulatorUrl }, enabled: true },
    lease,
    {
      incoming: { extraReplyData: false },
      holds: () => true,
      publisher,
      storedIds: storedEventIds(nc, ns),
      redis,
      nc,
      ns,
      maxFrameBytes: 1024 * 1024,
      leases,
      log,
      simulatorBacklog: BACKLOG,
      onState,
    },
  );
  /** NATS is back (after `proxy.stall()`): resolves once the proxied connection is. */
  const restore = async () => {
    const back = new Promise<void>(resolve => onNatsStatus(pnc, 'reconnect', resolve));
    proxy.cut();
    proxy.restore();
    await back;
  };
  const close = async () => {
    await account.stop(false);
    publisher.close();
    await pnc.close();
    await proxy.stop();
    await leases.release(ns.leaseKey(UIN), lease);
  };
  return { account, proxy, restore, close };
}

/** Says numbered messages (`<prefix><n>`) in the group, as SENDER; `said` collects them. */
function speaker(prefix: string) {
  const sim = new SimControl(cluster.simulatorUrl);
  const said: string[] = [];
  const say = async (from: number, to: number) => {
    for (let n = from; n < to; n++) {
      said.push(`${prefix}${n}`);
      await sim.sendGroupMsg(SENDER, GROUP, `${prefix}${n}`);
    }
  };
  return { sim, said, say };
}

/** Waits until the stream holds `count` of UIN's messages of `prefix`; returns their texts. */
const storedAtLeast = (prefix: string, count: number, ms = 30_000) =>
  waitFor(
    async () => {
      const t = await storedTexts(prefix);
      return t.length >= count ? t : undefined;
    },
    ms,
    `${count} events stored`,
  );

describe('the simulator’s backlog', () => {
  it('stays bounded while NATS is away, and every event is published once it is back', async () => {
    const { account, proxy, restore, close } = await ownAccount();
    const { said, say } = speaker('a');
    try {
      await account.start();
      expect(await account.onlineWithin(10_000)).toBe(true);
      await say(0, 5);
      await storedAtLeast('a', 5, 5_000);

      // NATS goes silent: nothing is acked, publishes time out and are retried.
      proxy.stall();
      let most = 0;
      const sampler = setInterval(() => (most = Math.max(most, account.eventsWaiting)), 5);
      await say(5, 5 + 3 * BACKLOG);
      await new Promise(resolve => setTimeout(resolve, 300));
      clearInterval(sampler);
      most = Math.max(most, account.eventsWaiting);
      expect(most).toBeLessThanOrEqual(BACKLOG);
      expect(most).toBe(BACKLOG);
      // Refusing events keeps the account online: its actions go on.
      expect(account.online).toBe(true);

      // NATS is back: the backlog is published, the driver reconnects, the rest is replayed.
      await restore();
      await say(5 + 3 * BACKLOG, 10 + 3 * BACKLOG);
      expect(await storedAtLeast('a', said.length)).toEqual(said);
      expect(account.eventsWaiting).toBe(0);
    } finally {
      await close();
    }
  });

  it('counts the events an outage longer than the simulator’s log lost to the replay', async () => {
    const lost = counter('cqfleet_session_simulator_events_lost_total', '');
    const lostSoFar = async () => (await lost.get()).values[0]?.value ?? 0;
    const before = await lostSoFar();
    const { account, proxy, restore, close } = await ownAccount();
    const { said, say } = speaker('b');
    try {
      await account.start();
      expect(await account.onlineWithin(10_000)).toBe(true);
      await say(0, 5);
      await storedAtLeast('b', 5, 5_000);

      // Refused for longer than the log keeps: the first refused events are trimmed from it.
      proxy.stall();
      await say(5, 5 + BACKLOG + 3 * SIM_LOG);
      await restore();
      await say(5 + BACKLOG + 3 * SIM_LOG, 10 + BACKLOG + 3 * SIM_LOG);
      const last = said.at(-1)!;
      const texts = await waitFor(
        async () => {
          const t = await storedTexts('b');
          return t.at(-1) === last ? t : undefined;
        },
        30_000,
        'the last event stored',
      );
      // What is stored is what was said but for one run of events: the gap, counted.
      const gap = said.length - texts.length;
      expect(gap).toBeGreaterThan(0);
      const from = said.indexOf(texts.find((t, i) => t !== said[i])!);
      expect(texts).toEqual([...said.slice(0, from - gap), ...said.slice(from)]);
      expect(await lostSoFar()).toBe(before + gap);
      expect(account.online).toBe(true);
    } finally {
      await close();
    }
  });

  it('reconnects for the refused events without failing an action or taking the account offline', async () => {
    const states: DriverState[] = [];
    const { account, proxy, restore, close } = await ownAccount(state => states.push(state));
    const { sim, said, say } = speaker('c');
    // Calls are answered slowly, so that one is in flight whenever the driver reconnects.
    await sim.faults(UIN, { delay_ms: 200 });
    let calling = true;
    const answers: string[] = [];
    /** One call after another (a macrotask apart: a refusal is immediate) until told to stop. */
    const callAll = async () => {
      while (calling) {
        answers.push(
          await account.qq.call('get_user', { user_id: SENDER }).then(
            () => 'ok',
            (err: unknown) => (err instanceof Error ? err.message : String(err)),
          ),
        );
        await new Promise(resolve => setImmediate(resolve));
      }
    };
    let caller: Promise<void> = Promise.resolve();
    try {
      await account.start();
      expect(await account.onlineWithin(10_000)).toBe(true);
      await say(0, 5);
      await storedAtLeast('c', 5, 5_000);
      caller = callAll();
      proxy.stall();
      await say(5, 5 + 2 * BACKLOG);
      // NATS is back: the backlog is published, and the driver reconnects for the rest.
      await restore();
      await say(5 + 2 * BACKLOG, 10 + 2 * BACKLOG);
      expect(await storedAtLeast('c', said.length)).toEqual(said);
      calling = false;
      await caller;
      expect(answers.length).toBeGreaterThan(5);
      expect(answers.filter(a => a !== 'ok')).toEqual([]);
      expect(states).toEqual(['connecting', 'online']);
      expect(account.driver.stats.disconnectTimes).toBe(0);
      expect(account.driver.stats.lostTimes).toBe(0);
    } finally {
      calling = false;
      await caller;
      await sim.faults(UIN, { delay_ms: 0 });
      await close();
    }
  });
});
