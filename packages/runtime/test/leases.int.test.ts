import { Namespace } from '@cqfleet/contracts';
import {
  connectRedis,
  createLogger,
  type Held,
  LeaseGroup,
  LeaseStore,
  type Redis,
  redisReady,
} from '@cqfleet/runtime';
import { testInfra, uniqueNamespace, waitFor } from '@cqfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const log = createLogger('test', 'silent');
let redis: Redis;
let store: LeaseStore;
let ns: Namespace;

beforeAll(() => {
  redis = connectRedis(testInfra().redisUrl, 'test', log);
  ns = new Namespace(uniqueNamespace('lease'));
  store = new LeaseStore(redis);
});
afterAll(() => redis.disconnect());

const k = (n: number) => [ns.leaseKey(n), ns.fenceKey(n)] as const;

describe('lease store', () => {
  it('one holder at a time; each new lease gets a higher fence, from the Redis clock', async () => {
    const [seconds] = await redis.time();
    const first = (await store.acquire(...k(1), 'w-a', 10_000))!;
    // Milliseconds of the server's clock (a counter alone would restart at 1 in an empty Redis).
    expect(first).toBeGreaterThanOrEqual(Number(seconds) * 1000);
    expect(await store.acquire(...k(1), 'w-b', 10_000)).toBeUndefined();
    expect(await store.holder(ns.leaseKey(1))).toEqual({ workerId: 'w-a', fence: first });
    expect(await store.release(ns.leaseKey(1), { workerId: 'w-a', fence: first })).toBe(true);
    expect(await store.acquire(...k(1), 'w-b', 10_000)).toBeGreaterThan(first);
    // A counter ahead of the clock (fences from another Redis) keeps counting from there.
    await redis.set(ns.fenceKey(11), String(first + 10_000_000));
    expect(await store.acquire(...k(11), 'w-a', 10_000)).toBe(first + 10_000_001);
  });

  it('renew and release only work for the current holder', async () => {
    const fence = (await store.acquire(...k(2), 'w-a', 10_000))!;
    expect(await store.renew(ns.leaseKey(2), { workerId: 'w-b', fence }, 10_000)).toBe('lost');
    expect(await store.renew(ns.leaseKey(2), { workerId: 'w-a', fence: fence + 1 }, 10_000)).toBe(
      'lost',
    );
    expect(await store.renew(ns.leaseKey(2), { workerId: 'w-a', fence }, 10_000)).toBe('renewed');
    expect(await store.release(ns.leaseKey(2), { workerId: 'w-b', fence })).toBe(false);
  });

  it('a lease Redis lost (with its fence counter) is reclaimed by its holder, and fences go on from it', async () => {
    const lease = { workerId: 'w-a', fence: (await store.acquire(...k(4), 'w-a', 10_000))! };
    await redis.del(ns.leaseKey(4), ns.fenceKey(4));
    // Without asking to reclaim, a missing lease is lost, as before.
    expect(await store.renew(ns.leaseKey(4), lease, 10_000)).toBe('lost');
    const reclaim = { fenceKey: ns.fenceKey(4) };
    expect(await store.renew(ns.leaseKey(4), lease, 10_000, reclaim)).toBe('reclaimed');
    expect(await store.holder(ns.leaseKey(4))).toEqual(lease);
    expect(Number(await redis.get(ns.fenceKey(4)))).toBe(lease.fence);
    expect(await store.renew(ns.leaseKey(4), lease, 10_000, reclaim)).toBe('renewed');
    // Someone else's lease is never reclaimed over.
    await redis.set(ns.leaseKey(4), `w-b|${lease.fence + 1}`);
    expect(await store.renew(ns.leaseKey(4), lease, 10_000, reclaim)).toBe('lost');
  });

  it('renews many leases in one call, each answered as a renew of it alone would be', async () => {
    const mine = { workerId: 'w-a', fence: (await store.acquire(...k(21), 'w-a', 1_000))! };
    const theirs = { workerId: 'w-b', fence: (await store.acquire(...k(22), 'w-b', 10_000))! };
    const gone = { workerId: 'w-a', fence: (await store.acquire(...k(23), 'w-a', 10_000))! };
    await redis.del(ns.leaseKey(23), ns.fenceKey(23));
    const answers = await store.renewMany(
      [
        { leaseKey: ns.leaseKey(21), lease: mine },
        { leaseKey: ns.leaseKey(22), lease: { ...theirs, workerId: 'w-a' } },
        { leaseKey: ns.leaseKey(23), lease: gone, reclaim: { fenceKey: ns.fenceKey(23) } },
        { leaseKey: ns.leaseKey(24), lease: mine },
      ],
      10_000,
    );
    expect(answers).toEqual(['renewed', 'lost', 'reclaimed', 'lost']);
    expect(await redis.pttl(ns.leaseKey(21))).toBeGreaterThan(5_000); // was 1 s
    expect(await store.holder(ns.leaseKey(22))).toEqual(theirs);
    expect(await store.holder(ns.leaseKey(23))).toEqual(gone);
    expect(Number(await redis.get(ns.fenceKey(23)))).toBe(gone.fence);
    expect(await redis.exists(ns.leaseKey(24))).toBe(0);
    expect(await store.renewMany([], 10_000)).toEqual([]);
  });

  it('an expired lease can be taken; the old holder can neither renew nor write fenced keys', async () => {
    const old = { workerId: 'w-a', fence: (await store.acquire(...k(3), 'w-a', 100))! };
    await new Promise(r => setTimeout(r, 200));
    const fresh = { workerId: 'w-b', fence: (await store.acquire(...k(3), 'w-b', 10_000))! };
    expect(fresh.fence).toBeGreaterThan(old.fence);
    expect(await store.renew(ns.leaseKey(3), old, 10_000)).toBe('lost');
    expect(await store.setIfHolder(ns.leaseKey(3), old, ns.cursorKey(3), 'stale')).toBe(false);
    expect(await store.setIfHolder(ns.leaseKey(3), fresh, ns.cursorKey(3), 'fresh')).toBe(true);
    expect(await redis.get(ns.cursorKey(3))).toBe('fresh');
  });
});

/** A member sharing `things`, noting `<id>+<n>` / `<id>-<n>` (`!`: not graceful) in `events`. */
function member(
  id: string,
  things: number[],
  events: string[],
  members: string,
  options: { conn?: Redis; leaseTtlMs?: number; renewEveryMs?: number } = {},
) {
  return new LeaseGroup<number>(
    options.conn ?? redis,
    {
      name: 'test',
      memberId: id,
      membersKey: members,
      memberRecord: () => ({}),
      leaseTtlMs: options.leaseTtlMs ?? 1_000,
      renewEveryMs: options.renewEveryMs ?? 100,
      rebalanceEveryMs: 100,
      candidates: async () =>
        things.map(n => ({ key: ns.key('g', n), fenceKey: ns.key('gf', n), item: n })),
      acquired: async c => void events.push(`${id}+${c.item}`),
      released: async (_k, h: Held<number>, _r, graceful) =>
        void events.push(`${id}-${h.item}${graceful ? '' : '!'}`),
    },
    log,
  );
}
describe('lease group', () => {
  it('members share the things fairly, a stopping member hands over, and nothing is held twice', async () => {
    const things = [100, 101, 102, 103];
    const events: string[] = [];
    const members = ns.key('members-1');
    const a = member('a', things, events, members);
    await a.start();
    expect(a.holding.size).toBe(4);
    const b = member('b', things, events, members);
    await b.start();
    // a holds everything when b joins; a hands over what is beyond its share, b takes it.
    expect(b.holding.size).toBe(0);
    await waitFor(
      () => {
        const both = [...a.holding.keys()].filter(k => b.holding.has(k));
        expect(both).toEqual([]);
        return a.holding.size === 2 && b.holding.size === 2 ? true : undefined;
      },
      3_000,
      'a and b hold two each',
    );
    expect(events).toContain('a-' + String([...b.holding.values()][0]!.item));
    await a.stop();
    await waitFor(() => (b.holding.size === 4 ? true : undefined), 3_000, 'b takes over');
    expect(events.filter(e => e.startsWith('a-')).sort()).toEqual([
      'a-100',
      'a-101',
      'a-102',
      'a-103',
    ]);
    expect(events.filter(e => e.endsWith('!'))).toEqual([]);
    const c = member('c', things, events, members);
    await c.start();
    await b.stop();
    await waitFor(() => (c.holding.size === 4 ? true : undefined), 3_000, 'c takes over');
    await c.stop();
  });

  it('renews each lease within every period, but not all at once, and those due together in one call', async () => {
    const things = Array.from({ length: 40 }, (_, i) => 300 + i);
    const a = member('a', things, [], ns.key('members-spread'), {
      leaseTtlMs: 4_000,
      renewEveryMs: 800,
    });
    await a.start();
    expect(a.holding.size).toBe(40);
    // The leases due at a turn go together: one script call each, not one per lease.
    const batches: number[] = [];
    const renewMany = a.store.renewMany.bind(a.store);
    a.store.renewMany = (renewals, ttlMs) => {
      batches.push(renewals.length);
      return renewMany(renewals, ttlMs);
    };
    await new Promise(r => setTimeout(r, 1_900));
    const ttls = await Promise.all(things.map(n => redis.pttl(ns.key('g', n))));
    await a.stop();
    expect(batches.reduce((n, b) => n + b, 0)).toBeGreaterThanOrEqual(40);
    expect(Math.max(...batches)).toBeGreaterThan(1);
    expect(batches.length).toBeLessThanOrEqual((2 * 1_900) / (800 / 8) + 2);
    // Renewed within the last period or so (room for a busy machine): none expiring soon.
    expect(Math.min(...ttls)).toBeGreaterThan(4_000 - 2 * 800);
    // Spread over the period, not one burst (a burst leaves them within a few ms).
    expect(Math.max(...ttls) - Math.min(...ttls)).toBeGreaterThan(200);
  });

  it('a member whose lease is taken loses the thing at once', async () => {
    const events: string[] = [];
    const a = member('a', [200], events, ns.key('members-2'));
    await a.start();
    expect(a.holds(ns.key('g', 200))).toBe(true);
    await redis.set(ns.key('g', 200), 'thief|1', 'PX', 10_000);
    await waitFor(() => (events.includes('a-200!') ? true : undefined), 3_000, 'loss noticed');
    expect(a.holds(ns.key('g', 200))).toBe(false);
    await a.stop();
  });

  it('a held thing whose record changes keeps its lease and is told once; the same record in another key order is no change', async () => {
    const records = new Map([[300, { url: 'ws://a', token: 't' }]]);
    const changes: Array<[unknown, unknown]> = [];
    const a = new LeaseGroup<{ url: string; token: string }>(
      redis,
      {
        name: 'test',
        memberId: 'a',
        membersKey: ns.key('members-3'),
        memberRecord: () => ({}),
        leaseTtlMs: 1_000,
        renewEveryMs: 100,
        rebalanceEveryMs: 100,
        candidates: async () =>
          [...records].map(([n, item]) => ({
            key: ns.key('g', n),
            fenceKey: ns.key('gf', n),
            item,
          })),
        acquired: async () => undefined,
        released: async () => undefined,
        changed: async (_k, held, previous) => void changes.push([previous, held.item]),
      },
      log,
    );
    await a.start();
    const fence = a.holding.get(ns.key('g', 300))!.lease.fence;
    records.set(300, { token: 't', url: 'ws://a' });
    await new Promise(r => setTimeout(r, 300));
    expect(changes).toEqual([]);
    records.set(300, { url: 'ws://b', token: 't' });
    await waitFor(() => (changes.length > 0 ? true : undefined), 3_000, 'change noticed');
    await new Promise(r => setTimeout(r, 300));
    expect(changes).toEqual([
      [
        { url: 'ws://a', token: 't' },
        { url: 'ws://b', token: 't' },
      ],
    ]);
    expect(a.holding.get(ns.key('g', 300))!.lease.fence).toBe(fence);
    await a.stop();
  });
});

describe('lease group when Redis loses its data', () => {
  it('holders keep their things (reclaimed, same fence); nobody acquires for one lease period after Redis is back', async () => {
    const events: string[] = [];
    const things = [400, 401];
    const own = connectRedis(testInfra().redisUrl, 'test a', log);
    const make = (id: string, conn: Redis) =>
      member(id, things, events, ns.key('members-4'), { conn, leaseTtlMs: 1_500 });
    await redisReady(own);
    const a = make('a', own);
    await a.start();
    expect(a.holding.size).toBe(2);
    const fences = [...a.holding.values()].map(h => h.lease.fence);
    // Redis "comes back empty" for a: its connection drops and reconnects, and the leases,
    // fence counters and members are gone.
    const back = new Promise(resolve => own.once('ready', resolve));
    own.disconnect(true);
    await redis.del(...things.flatMap(n => [ns.key('g', n), ns.key('gf', n)]), ns.key('members-4'));
    await back;
    // A member that joins now finds everything free, but a holds it again before long.
    await waitFor(
      async () =>
        (await redis.exists(...things.map(n => ns.key('g', n)))) === 2 ? true : undefined,
      3_000,
      'leases reclaimed',
    );
    expect([...a.holding.values()].map(h => h.lease.fence)).toEqual(fences);
    expect(events.sort()).toEqual(['a+400', 'a+401']);
    // A fresh member shares them again by hand-over, never by holding one twice.
    const b = make('b', redis);
    await b.start();
    await waitFor(
      () => {
        const both = [...a.holding.keys()].filter(key => b.holding.has(key));
        expect(both).toEqual([]);
        return a.holding.size === 1 && b.holding.size === 1 ? true : undefined;
      },
      5_000,
      'a and b hold one each',
    );
    expect(events.filter(e => e.endsWith('!'))).toEqual([]);
    await b.stop();
    await a.stop();
    own.disconnect();
  });

  it('after Redis comes back, a member acquires nothing for one lease period', async () => {
    const own = connectRedis(testInfra().redisUrl, 'test c', log);
    await redisReady(own);
    const events: string[] = [];
    const c = member('c', [500], events, ns.key('members-5'), { conn: own, leaseTtlMs: 1_500 });
    await redis.set(ns.key('g', 500), 'someone|1', 'PX', 60_000);
    await c.start();
    const back = new Promise(resolve => own.once('ready', resolve));
    own.disconnect(true);
    await back;
    const backAt = Date.now();
    await redis.del(ns.key('g', 500));
    await waitFor(() => (events.length > 0 ? true : undefined), 5_000, 'c acquires');
    expect(Date.now() - backAt).toBeGreaterThanOrEqual(1_400);
    await c.stop();
    own.disconnect();
  });
});
