/**
 * A relayed upstream link (relay-link.ts) against real NATS and a gateway of the test's own is
 * full as a forward link is (links.ts' BufferLimits): past the hard bound of bytes NATS has not
 * taken at once, past the soft bound once NATS has taken none of them for the stall period —
 * and no more once it has. The worker's one NATS connection carries every account's event
 * publishes: action frames must not queue there without limit.
 */
import { Namespace } from '@cqfleet/contracts';
import { connectNats, createLogger, type NatsConnection } from '@cqfleet/runtime';
import { testInfra, uniqueNamespace } from '@cqfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BufferLimits, UpstreamLink } from '../src/upstream/links.js';
import { RelayConnector } from '../src/upstream/relay-link.js';

const UIN = 30888;
const log = createLogger('test', 'silent');
let nc: NatsConnection;
let gateway: NatsConnection;

beforeAll(async () => {
  nc = await connectNats(testInfra().natsUrl, 'test-worker', log);
  gateway = await connectNats(testInfra().natsUrl, 'test-gateway', log);
});
afterAll(async () => {
  await nc?.drain();
  await gateway?.drain();
});

/** A gateway holding socket `c1` of UIN: answers `hello` and `attach`, counts `out` bytes. */
function gatewayFor(ns: Namespace) {
  const hello = JSON.stringify({ conn: 'c1', replica: 'g1' });
  const received = { bytes: 0 };
  const subs = [
    gateway.subscribe(ns.upstreamSubject(UIN, 'hello'), {
      callback: (_e, m) => void m.respond(hello),
    }),
    gateway.subscribe(ns.upstreamSubject(UIN, 'attach', 'c1'), {
      callback: (_e, m) => void m.respond(hello),
    }),
    gateway.subscribe(ns.upstreamSubject(UIN, 'out', 'c1'), {
      callback: (_e, m) => void (received.bytes += m.data.length),
    }),
  ];
  return { received, stop: () => subs.forEach(s => s.unsubscribe()) };
}

/**
 * The worker's connection, with flushes held while `held` is set: NATS's server then seems to
 * take nothing (as when the connection's socket does not drain).
 */
function holdable(target: NatsConnection) {
  const state = { held: false, release: [] as Array<() => void> };
  const conn = new Proxy(target, {
    get(t, prop) {
      if (prop === 'flush')
        return () =>
          state.held
            ? new Promise<void>(r => state.release.push(() => void t.flush().then(r)))
            : t.flush();
      const v = Reflect.get(t, prop, t) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
  return { conn, state };
}

async function attach(conn: NatsConnection, ns: Namespace, limits: BufferLimits) {
  await gateway.flush();
  return new RelayConnector(conn, ns, UIN, log, 5_000, limits).connect(
    () => undefined,
    new AbortController().signal,
    () => undefined,
  );
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const KiB = 1024;
const MiB = 1024 * KiB;

describe('a relayed upstream link', () => {
  it('is full at once past the hard bound, and no more once NATS took it', async () => {
    const ns = new Namespace(uniqueNamespace('relayfull'));
    const gw = gatewayFor(ns);
    const link: UpstreamLink = await attach(nc, ns, {
      softBytes: 256 * KiB,
      hardBytes: 1 * MiB,
      stallMs: 60_000,
    });
    expect(link.full?.()).toBe(false);
    link.send('x'.repeat(512 * KiB));
    // Over the soft bound, under the hard one: not full (NATS is taking it).
    expect(link.full?.()).toBe(false);
    link.send('x'.repeat(768 * KiB));
    expect(link.full?.()).toBe(true);
    await nc.flush();
    await sleep(20);
    expect(link.full?.()).toBe(false);
    expect(gw.received.bytes).toBeGreaterThanOrEqual(1280 * KiB);
    link.close();
    gw.stop();
  });

  it('is full once NATS took nothing for the stall period, not before', async () => {
    const ns = new Namespace(uniqueNamespace('relaystall'));
    const gw = gatewayFor(ns);
    const { conn, state } = holdable(nc);
    const stallMs = 300;
    const link = await attach(conn, ns, { softBytes: 64 * KiB, hardBytes: 64 * MiB, stallMs });
    state.held = true;
    const started = performance.now();
    let fullAt: number | undefined;
    while (performance.now() - started < 3_000 && fullAt === undefined) {
      link.send('x'.repeat(32 * KiB));
      if (link.full?.()) fullAt = performance.now() - started;
      await sleep(25);
    }
    expect(fullAt, 'never full').toBeDefined();
    expect(fullAt!).toBeGreaterThanOrEqual(stallMs);
    expect(fullAt!).toBeLessThan(stallMs + 1_000);
    // NATS takes what was sent: the link is no more full.
    state.held = false;
    for (const release of state.release.splice(0)) release();
    await sleep(100);
    expect(link.full?.()).toBe(false);
    link.close();
    gw.stop();
  });
});
