/**
 * `npm run bench -- history`: Redis bytes per stored message for a realistic mix, for the
 * encodings considered (the first layout — a JSON string per message and a sorted-set index
 * per group — then bucket hashes of msgpack records, with and without deflate), and get_msg /
 * get_group_msg_history latency with a million messages stored, both at the store and over
 * the history service's gRPC channel as the gateway calls it. Latencies are divided by raw
 * Redis GET and raw gRPC unary figures measured in the same run.
 */
import { Namespace } from '@cqfleet/contracts';
import { loadConfig, startHistory } from '@cqfleet/history';
import { MessageStore } from '@cqfleet/history-store';
import { type MessageEvent, parseParams } from '@cqfleet/onebot';
import { MessageFormat } from '@cqfleet/proto';
import { ActionChannel } from '@cqfleet/rpc';
import { dropNamespaceData, unlinkMatching, writeWorld } from '@cqfleet/devcluster';
import { createLogger, type Redis } from '@cqfleet/runtime';
import { grpcUnary, redisGet, redisSet, startBareHttp } from './baselines.js';
import { startBenchCluster, untilLoggedIn } from './cluster.js';
import { post } from './http-client.js';
import { messageMix, type MixOptions } from './history-mix.js';
import { bytesPer } from './redis-memory.js';
import {
  type Latency,
  ms,
  perSecond,
  ratio,
  type Report,
  rng,
  table,
  timeSequential,
} from './stats.js';

export interface HistoryBenchOptions {
  redis: Redis;
  redisUrl: string;
  natsUrl: string;
  /** Messages for the encoding comparison. */
  compareMessages: number;
  /** Messages stored for the latency run. */
  messages: number;
  /** Fewer timed reads (a fifth). */
  quick: boolean;
}

const MIX: MixOptions = { seed: 42, groups: 200, accountsPerGroup: 1, peers: 50 };
const BATCH = 2_000;
/** The account the stored messages belong to. */
const SELF = 10_001;

async function fillStore(
  store: MessageStore,
  messages: Iterable<MessageEvent>,
): Promise<{ n: number; rate: number }> {
  let batch: MessageEvent[] = [];
  let n = 0;
  const start = performance.now();
  for (const m of messages) {
    batch.push(m);
    if (batch.length === BATCH) {
      await store.putMany(batch);
      n += batch.length;
      batch = [];
    }
  }
  await store.putMany(batch);
  n += batch.length;
  return { n, rate: n / ((performance.now() - start) / 1000) };
}

/** The first layout, for comparison: a JSON string per message, a sorted set per group. */
async function fillLegacy(
  redis: Redis,
  prefix: string,
  messages: Iterable<MessageEvent>,
): Promise<{ n: number; rate: number }> {
  let pipeline = redis.pipeline();
  let n = 0;
  const start = performance.now();
  for (const m of messages) {
    pipeline.set(`${prefix}m:${m.self_id}:${m.message_id}`, JSON.stringify(m));
    if (m.message_type === 'group')
      pipeline.zadd(`${prefix}g:${m.self_id}:${m.group_id}`, m.message_seq, String(m.message_id));
    else
      pipeline.zadd(
        `${prefix}p:${m.self_id}:${m.user_id === m.self_id ? m.target_id : m.user_id}`,
        n,
        String(m.message_id),
      );
    if (++n % BATCH === 0) {
      await pipeline.exec();
      pipeline = redis.pipeline();
    }
  }
  await pipeline.exec();
  return { n, rate: n / ((performance.now() - start) / 1000) };
}

interface Variant {
  name: string;
  bytes: number;
  rate: number;
}

async function compareEncodings(o: HistoryBenchOptions, base: string): Promise<Variant[]> {
  const n = o.compareMessages;
  const out: Variant[] = [];
  const measure = async (
    name: string,
    count: number,
    fill: (ns: Namespace) => Promise<{ rate: number }>,
  ) => {
    const ns = new Namespace(`${base}-${out.length}`);
    let rate = 0;
    const bytes = await bytesPer(o.redis, count, async () => {
      rate = (await fill(ns)).rate;
    });
    await unlinkMatching(o.redis, `${ns.historyPrefix}*`);
    out.push({ name, bytes, rate });
  };
  const store = (ns: Namespace, compressFrom?: number) =>
    new MessageStore(o.redis, ns, {
      idSlots: 65_536,
      keepPerChat: 0,
      maxAgeS: 0,
      ...(compressFrom !== undefined ? { compressFrom } : {}),
    });
  await measure('first layout: JSON string per message + sorted-set index', n, ns =>
    fillLegacy(o.redis, ns.historyPrefix, messageMix(n, MIX)),
  );
  await measure('buckets of msgpack records, no deflate', n, ns =>
    fillStore(store(ns, Infinity), messageMix(n, MIX)),
  );
  await measure('buckets of msgpack records, deflate from 200 B (chosen)', n, ns =>
    fillStore(store(ns), messageMix(n, MIX)),
  );
  // Redis keeps a hash compact (listpack) only while every value is at most
  // hash-max-listpack-value bytes (64 by default); records are longer. Raised, buckets shrink.
  const [, before] = (await o.redis.config('GET', 'hash-max-listpack-value')) as [string, string];
  await o.redis.config('SET', 'hash-max-listpack-value', '1024');
  try {
    await measure('chosen, with Redis hash-max-listpack-value 1024', n, ns =>
      fillStore(store(ns), messageMix(n, MIX)),
    );
  } finally {
    await o.redis.config('SET', 'hash-max-listpack-value', before);
  }
  const shared = { ...MIX, accountsPerGroup: 2 };
  const seen = [...messageMix(n, shared)].length;
  await measure(
    `first layout, every group message seen by 2 accounts (per account-message, ${seen} in all)`,
    seen,
    ns => fillLegacy(o.redis, ns.historyPrefix, messageMix(n, shared)),
  );
  await measure(`chosen, every group message seen by 2 accounts (per account-message)`, seen, ns =>
    fillStore(store(ns), messageMix(n, shared)),
  );
  return out;
}

interface Run {
  label: string;
  latency: Latency;
  base: Latency;
}

export async function historyBench(o: HistoryBenchOptions): Promise<Report> {
  const log = createLogger('bench', 'warn');
  const base = `bench-history-${process.pid}`;
  const reads = (n: number) => (o.quick ? n / 5 : n);
  const redisBase = await redisGet(o.redis, `${base}:`, reads(10_000));
  const redisSetBase = await redisSet(o.redis, `${base}:`, reads(10_000));
  const grpcBase = await grpcUnary(reads(5_000));

  const variants = await compareEncodings(o, base);

  // The latency run: a million messages of the chosen layout, then reads.
  const ns = new Namespace(`${base}-scale`);
  const store = new MessageStore(o.redis, ns);
  const ids: number[] = [];
  const groups = new Map<number, number>();
  let fill = { n: 0, rate: 0 };
  const bytes = await bytesPer(o.redis, o.messages, async () => {
    const tap = function* (): Generator<MessageEvent> {
      for (const m of messageMix(o.messages, MIX)) {
        if (ids.length < 200_000 || Math.random() < 0.05) ids.push(m.message_id);
        if (m.message_type === 'group') groups.set(m.group_id, m.message_seq);
        yield m;
      }
    };
    fill = await fillStore(store, tap());
  });
  const pickRandom = rng(7);
  const anyId = () => ids[Math.floor(pickRandom() * ids.length)]!;
  const groupList = [...groups.entries()];
  const anyGroup = () => groupList[Math.floor(pickRandom() * groupList.length)]!;

  const history = await startHistory(
    loadConfig({
      CQFLEET_NAMESPACE: ns.name,
      CQFLEET_NATS_URL: o.natsUrl,
      CQFLEET_REDIS_URL: o.redisUrl,
      HISTORY_GRPC_PORT: '0',
      HISTORY_CATCH_UP_MS: '0',
    }),
    log,
  );
  const channel = new ActionChannel(history.grpc, log);
  const call = async (
    action: 'get_msg' | 'get_group_msg_history',
    params: Record<string, unknown>,
  ) => {
    const reply = await channel.call(
      {
        selfId: 10_001,
        action,
        paramsJson: Buffer.from(JSON.stringify(parseParams(action, params))),
        messageFormat: MessageFormat.MESSAGE_FORMAT_STRING,
        deadlineMs: 5_000,
        fence: 0,
      },
      5_000,
    );
    if (reply.retcode !== 0) throw new Error(`${action} failed: ${reply.msg}`);
  };
  const runs: Run[] = [];
  let http: Run | undefined;
  try {
    runs.push({
      label: 'store.get (get_msg)',
      latency: await timeSequential(reads(20_000), () => store.get(10_001, anyId())),
      base: redisBase,
    });
    runs.push({
      label: 'store.groupHistory, latest page (20)',
      latency: await timeSequential(reads(5_000), () =>
        store.groupHistory(10_001, anyGroup()[0], 0),
      ),
      base: redisBase,
    });
    runs.push({
      label: 'store.groupHistory, random page (20)',
      latency: await timeSequential(reads(5_000), () => {
        const [g, top] = anyGroup();
        return store.groupHistory(10_001, g, 1 + Math.floor(pickRandom() * top));
      }),
      base: redisBase,
    });
    runs.push({
      label: 'gRPC get_msg (string format)',
      latency: await timeSequential(reads(10_000), () => call('get_msg', { message_id: anyId() })),
      base: grpcBase,
    });
    runs.push({
      label: 'gRPC get_group_msg_history (string format)',
      latency: await timeSequential(reads(5_000), () =>
        call('get_group_msg_history', { group_id: anyGroup()[0] }),
      ),
      base: grpcBase,
    });
  } finally {
    channel.close();
    await history.stop();
  }
  try {
    http = await overHttp(o, ns, anyId, reads);
    runs.push(http);
    // One more message at the store, one at a time: what a write costs next to a SET.
    const extra = messageMix(reads(2_000), { ...MIX, seed: 43 });
    const more = [...extra].map((m, i) => ({ ...m, message_id: 2_000_000_000 + i }));
    runs.push({
      label: 'store.put, one message (against SET)',
      latency: await timeSequential(more.length, i => store.put(more[i]!), 0),
      base: redisSetBase,
    });
  } finally {
    // The store, and what the cluster of `overHttp` left (its stream, registry and leases).
    await dropNamespaceData({ natsUrl: o.natsUrl, redisUrl: o.redisUrl, namespace: ns.name });
  }

  const first = variants[0]!.bytes;
  const markdown = [
    `## History (${new Date().toISOString()})`,
    '',
    `Baselines in this run: Redis GET p50 ${ms(redisBase.p50)} / p99 ${ms(redisBase.p99)}; Redis SET p50 ${ms(redisSetBase.p50)} / p99 ${ms(redisSetBase.p99)}; gRPC unary (1 in flight) p50 ${ms(grpcBase.p50)} / p99 ${ms(grpcBase.p99)}.`,
    '',
    `### Redis bytes per message (${o.compareMessages.toLocaleString('en')} messages of the mix, used_memory after − before)`,
    '',
    table(
      ['layout', 'bytes / message', 'vs first layout', 'write rate'],
      variants.map(v => [
        v.name,
        v.bytes.toFixed(0),
        `${((v.bytes / first) * 100).toFixed(0)} %`,
        perSecond(v.rate),
      ]),
    ),
    '',
    `### ${o.messages.toLocaleString('en')} messages stored (chosen layout)`,
    '',
    `${bytes.toFixed(0)} bytes per message (${((bytes * o.messages) / 2 ** 20).toFixed(0)} MiB in all), written at ${perSecond(fill.rate)}.`,
    '',
    table(
      ['read', 'p50', 'p99', 'p50 / baseline p50', 'p99 / baseline p99', 'rate (1 at a time)'],
      runs.map(r => [
        r.label,
        ms(r.latency.p50),
        ms(r.latency.p99),
        ratio(r.latency.p50, r.base.p50),
        ratio(r.latency.p99, r.base.p99),
        perSecond(r.latency.rate),
      ]),
    ),
  ].join('\n');
  const get = http!;
  return {
    markdown,
    targets: [
      {
        target: `get_msg over HTTP with ${o.messages.toLocaleString('en')} stored: p50 ≤ 0.5 ms, p99 ≤ 2 ms`,
        figure: `p50 ${ms(get.latency.p50)}, p99 ${ms(get.latency.p99)} (bare HTTP p50 ${ms(get.base.p50)}, p99 ${ms(get.base.p99)})`,
        met: get.latency.p50 <= 0.5 && get.latency.p99 <= 2,
      },
      {
        target: '≤ 400 Redis bytes per message, every index included',
        figure: `${bytes.toFixed(0)} B per message at ${o.messages.toLocaleString('en')}`,
        met: bytes <= 400,
      },
    ],
  };
}

/**
 * get_msg over the gateway's HTTP API with the store filled (the gateway reads the store
 * itself; every id asked is stored, so history is not asked), one call at a time, against a
 * bare node:http server measured right before it.
 */
async function overHttp(
  o: HistoryBenchOptions,
  ns: Namespace,
  anyId: () => number,
  reads: (n: number) => number,
): Promise<Run> {
  const bare = await startBareHttp();
  const base = await timeSequential(reads(5_000), () =>
    post(`${bare.url}/get_msg`, { message_id: 1 }),
  );
  bare.close();
  // The store stays for the suite's next measurement (which drops the namespace after).
  const cluster = await startBenchCluster(ns.name, o, {
    world: await writeWorld({
      accounts: [{ user_id: SELF, nickname: 'bench' }],
      people: [{ user_id: 20001, nickname: 'someone' }],
    }),
    accounts: [SELF],
    dropDataOnStop: false,
  });
  try {
    const api = `${cluster.httpUrl}/${SELF}`;
    await untilLoggedIn(cluster, SELF);
    // Timed once the gateway is warm: as many calls first as are timed. After the usual
    // 1,000 the first 10,000 calls still had a p99 about twice that of the next ones (the
    // processes' JIT and young generation still settling), not what a running gateway shows.
    const latency = await timeSequential(
      reads(10_000),
      async () => {
        const r = await post(`${api}/get_msg`, { message_id: anyId() });
        if (r.retcode !== 0) throw new Error(`get_msg failed: ${JSON.stringify(r)}`);
      },
      reads(10_000),
    );
    return { label: 'HTTP get_msg through the gateway (against bare HTTP)', latency, base };
  } finally {
    await cluster.stop();
  }
}
