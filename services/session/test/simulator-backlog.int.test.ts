/**
 * The simulator's events wait in a bounded backlog per account (AccountRuntime, SIMULATOR_BACKLOG):
 * while NATS does not take them, an account holds at most that many, refusing the rest without
 * losing them — once the backlog is published its driver reconnects and the simulator replays
 * from the last event taken, so the stream ends up with every event, in order, each once.
 *
 * A real simulator (a test cluster whose session worker does not own account 10002), real
 * Redis, and real JetStream reached through a TCP proxy that goes silent, then breaks.
 */
import { EVENT_ID_HEADER, type Lease, Namespace } from '@cqfleet/contracts';
import {
  connectNats,
  connectRedis,
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
import { storedEventIds } from '../src/events/stored-ids.js';

const UIN = 10002;
const GROUP = 100100;
const SENDER = 20001;
/** A bound small enough to reach with a few dozen messages. */
const BACKLOG = 20;

const log = createLogger('test', process.env.CQFLEET_TEST_LOGS ? 'debug' : 'silent');
let cluster: TestCluster;
let nc: NatsConnection;
let redis: Redis;
let ns: Namespace;

beforeAll(async () => {
  // The cluster's worker owns 10001 only: 10002 is this test's.
  cluster = await startTestCluster({ accounts: [10001] });
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

/** The text of every group message of UIN in the stream, in stream order. */
async function storedTexts(): Promise<string[]> {
  const jsm = await jetstreamManager(nc);
  const last = (await jsm.streams.info(ns.eventStream)).state.last_seq;
  const out: string[] = [];
  for (let seq = 1; seq <= last; seq++) {
    const m = await jsm.streams.getMessage(ns.eventStream, { seq }).catch(() => null);
    if (m?.subject !== ns.eventSubject(UIN, 'message')) continue;
    expect(m.header.get(EVENT_ID_HEADER)).not.toBe('');
    for (const line of m.string().split('\n'))
      out.push((JSON.parse(line) as { raw_message: string }).raw_message);
  }
  return out;
}

describe('the simulator’s backlog', () => {
  it('stays bounded while NATS is away, and every event is published once it is back', async () => {
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
      },
    );
    const sim = new SimControl(cluster.simulatorUrl);
    const said: string[] = [];
    const say = async (from: number, to: number) => {
      for (let n = from; n < to; n++) {
        said.push(`m${n}`);
        await sim.sendGroupMsg(SENDER, GROUP, `m${n}`);
      }
    };
    try {
      await account.start();
      expect(await account.onlineWithin(10_000)).toBe(true);
      await say(0, 5);
      await waitFor(
        async () => ((await storedTexts()).length === 5 ? true : undefined),
        5_000,
        '5',
      );

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
      const back = new Promise<void>(resolve => onNatsStatus(pnc, 'reconnect', resolve));
      proxy.cut();
      proxy.restore();
      await back;
      await say(5 + 3 * BACKLOG, 10 + 3 * BACKLOG);
      const texts = await waitFor(
        async () => {
          const t = await storedTexts();
          return t.length >= said.length ? t : undefined;
        },
        30_000,
        'every event stored',
      );
      expect(texts).toEqual(said);
      expect(account.eventsWaiting).toBe(0);
    } finally {
      await account.stop(false);
      publisher.close();
      await pnc.close();
      await proxy.stop();
    }
  });
});
