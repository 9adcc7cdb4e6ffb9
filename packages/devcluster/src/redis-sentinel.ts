/**
 * Redis with Sentinel on loopback, for the chaos run and fault tests: a primary, replicas
 * (`replicaof`) and three sentinels, each a `redis-server` with its own config file, port and
 * data directory (`<dir>/<name>/`). Sentinels run as `redis-server <conf> --sentinel`: Debian's
 * redis-server package has no `redis-sentinel` binary (that is the separate redis-sentinel
 * package, which also starts a system-wide sentinel as a service).
 *
 * Timeouts are small so that a failover takes seconds (down-after 1 s, failover-timeout 3 s).
 * Persistence is off by default (`save ""`, `appendonly no`, and the replica deletes the RDB it
 * synced from), so a restarted node comes back empty: "Redis that restarts empty".
 * With `persist`, nodes keep an append-only file and `restart({ empty: true })` deletes it.
 *
 * Sentinel rewrites its config file (known replicas, sentinels, the current primary) and
 * reconfigures the data nodes (`REPLICAOF` + `CONFIG REWRITE`), so a restarted node starts
 * from what Sentinel last wrote, as on a real machine.
 */
import { Redis } from 'ioredis';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { freePort } from './infra.js';
import {
  pollUntil,
  requireBinary,
  ServerNode,
  type ServerSpec,
  stopAll,
  workDir,
} from './server-node.js';

const HOST = '127.0.0.1';

export interface RedisSentinelOptions {
  /** Where each node keeps config, log and data (`<dir>/<name>/`); a temporary one if absent. */
  dir?: string;
  /** The name sentinels monitor the primary under (`CQFLEET_REDIS_MASTER`). @default 'cqfleet' */
  masterName?: string;
  /** Number of replicas. @default 1 */
  replicas?: number;
  /** Keep an append-only file, so that a restart keeps the data. @default false */
  persist?: boolean;
  /** Sentinel `down-after-milliseconds`. @default 1000 */
  downAfterMs?: number;
  /** Sentinel `failover-timeout`. @default 3000 */
  failoverTimeoutMs?: number;
  /** Longest wait for the set to be ready, and for a failover. @default 20 s */
  readyTimeoutMs?: number;
}

export interface HostPort {
  host: string;
  port: number;
}

/** A data node (`redis-1` started as primary, `redis-2`… as replicas) or a sentinel. */
export class RedisNode extends ServerNode {
  constructor(
    spec: ServerSpec,
    readonly kind: 'redis' | 'sentinel',
    private readonly dataDir?: string,
  ) {
    super(spec);
  }

  /**
   * Starts the stopped node again on the same port. `empty`: its data files are deleted first
   * (without `persist` there are none: every restart is empty). A sentinel keeps its state.
   */
  override async restart(options: { empty?: boolean } = {}): Promise<void> {
    if (options.empty && this.dataDir && !this.running) {
      await rm(this.dataDir, { recursive: true, force: true });
      await mkdir(this.dataDir, { recursive: true });
    }
    await super.restart();
  }
}

export interface RedisSentinelSet {
  /** Every sentinel's address: what `CQFLEET_REDIS_SENTINELS` takes. */
  sentinels: HostPort[];
  masterName: string;
  /** Data nodes then sentinels. */
  nodes: RedisNode[];
  /** The data nodes. */
  redis: RedisNode[];
  /** The primary's address as the sentinels report it (`SENTINEL get-master-addr-by-name`). */
  primary(): Promise<HostPort>;
  /** The data node at that address. */
  primaryNode(): Promise<RedisNode>;
  /**
   * Kills the current primary (SIGKILL) and waits until every running sentinel reports the
   * same new primary and that node says it is one (`ROLE`). The killed node stays down.
   */
  failover(timeoutMs?: number): Promise<{ killed: RedisNode; primary: RedisNode }>;
  /** Waits until every running data node but the primary replicates from it, link up. */
  waitForReplicas(timeoutMs?: number): Promise<void>;
  /** Stops every node (SIGTERM, then SIGKILL) and removes a temporary `dir`. */
  stop(): Promise<void>;
}

const MasterAddr = z.tuple([z.string(), z.coerce.number()]).nullable();
const Role = z.union([
  z.tuple([z.literal('master'), z.number(), z.array(z.array(z.string()))]),
  z.tuple([z.literal('slave'), z.string(), z.number(), z.string(), z.number()]),
  z.tuple([z.literal('sentinel'), z.array(z.string())]),
]);
const Fields = z.array(z.string()).transform(flat => {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
});

/** One command on a fresh connection that gives up fast (probes of a node that may be down). */
async function ask(at: HostPort, command: string, ...args: string[]): Promise<unknown> {
  const redis = new Redis({
    // Not `...at`: a node's host and port are getters, which spreading skips.
    host: at.host,
    port: at.port,
    lazyConnect: true,
    connectTimeout: 1_000,
    commandTimeout: 1_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await redis.call(command, ...args);
  } finally {
    redis.disconnect();
  }
}

const role = async (at: HostPort) => Role.parse(await ask(at, 'ROLE'));

function dataConfig(o: { port: number; home: string; persist: boolean; primary?: number }): string {
  const q = JSON.stringify;
  return [
    '# written by @cqfleet/devcluster (redis-sentinel.ts)',
    `port ${o.port}`,
    `bind ${HOST}`,
    `dir ${q(join(o.home, 'data'))}`,
    `logfile ${q(join(o.home, 'redis.log'))}`,
    'save ""',
    `appendonly ${o.persist ? 'yes' : 'no'}`,
    // Without persistence a replica would otherwise keep the RDB it synced from, and load it
    // on restart.
    `rdb-del-sync-files ${o.persist ? 'no' : 'yes'}`,
    // Sync a (re)joining replica at once instead of waiting 5 s for more of them.
    'repl-diskless-sync-delay 0',
    `replica-announce-ip ${HOST}`,
    ...(o.primary === undefined ? [] : [`replicaof ${HOST} ${o.primary}`]),
  ].join('\n');
}

function sentinelConfig(o: {
  port: number;
  home: string;
  masterName: string;
  primary: number;
  downAfterMs: number;
  failoverTimeoutMs: number;
}): string {
  const m = o.masterName;
  return [
    '# written by @cqfleet/devcluster (redis-sentinel.ts); Sentinel rewrites it',
    `port ${o.port}`,
    `bind ${HOST}`,
    `dir ${JSON.stringify(o.home)}`,
    `logfile ${JSON.stringify(join(o.home, 'sentinel.log'))}`,
    `sentinel announce-ip ${HOST}`,
    `sentinel monitor ${m} ${HOST} ${o.primary} 2`,
    `sentinel down-after-milliseconds ${m} ${o.downAfterMs}`,
    `sentinel failover-timeout ${m} ${o.failoverTimeoutMs}`,
    `sentinel parallel-syncs ${m} 1`,
  ].join('\n');
}

export async function startRedisSentinel(
  options: RedisSentinelOptions = {},
): Promise<RedisSentinelSet> {
  const masterName = options.masterName ?? 'cqfleet';
  const replicas = options.replicas ?? 1;
  const persist = options.persist ?? false;
  const readyTimeoutMs = options.readyTimeoutMs ?? 20_000;
  const binary = await requireBinary('redis-server', 'redis-server');
  const work = await workDir(options.dir, 'cqfleet-redis-sentinel-');

  const redis: RedisNode[] = [];
  const sentinelNodes: RedisNode[] = [];
  const node = async (
    name: string,
    kind: RedisNode['kind'],
    config: (port: number, home: string) => string,
  ) => {
    const port = await freePort();
    const home = join(work.dir, name);
    const dataDir = kind === 'redis' ? join(home, 'data') : undefined;
    await mkdir(dataDir ?? home, { recursive: true });
    const file = join(home, kind === 'redis' ? 'redis.conf' : 'sentinel.conf');
    await writeFile(file, `${config(port, home)}\n`);
    const logFile = join(home, kind === 'redis' ? 'redis.log' : 'sentinel.log');
    const args = kind === 'redis' ? [file] : [file, '--sentinel'];
    return new RedisNode(
      { name, binary, args, host: HOST, port, logFile, readyTimeoutMs },
      kind,
      dataDir,
    );
  };

  const first = await node('redis-1', 'redis', (port, home) => dataConfig({ port, home, persist }));
  redis.push(first);
  for (let i = 2; i <= replicas + 1; i++)
    redis.push(
      await node(`redis-${i}`, 'redis', (port, home) =>
        dataConfig({ port, home, persist, primary: first.port }),
      ),
    );
  for (let i = 1; i <= 3; i++)
    sentinelNodes.push(
      await node(`sentinel-${i}`, 'sentinel', (port, home) =>
        sentinelConfig({
          port,
          home,
          masterName,
          primary: first.port,
          downAfterMs: options.downAfterMs ?? 1_000,
          failoverTimeoutMs: options.failoverTimeoutMs ?? 3_000,
        }),
      ),
    );
  const nodes = [...redis, ...sentinelNodes];

  /** What each running sentinel reports (undefined where one does not answer). */
  const reports = () =>
    Promise.all(
      sentinelNodes
        .filter(s => s.running)
        .map(s =>
          ask(s, 'SENTINEL', 'get-master-addr-by-name', masterName)
            .then(r => MasterAddr.parse(r) ?? undefined)
            .catch(() => undefined),
        ),
    );
  const nodeAt = (at: HostPort): RedisNode => {
    const found = redis.find(n => n.port === at.port);
    if (!found)
      throw new Error(
        `the sentinels name ${at.host}:${at.port} as primary: not a node of this set`,
      );
    return found;
  };

  /** Whether every other running data node is a replica of `primary` with its link up. */
  const replicating = async (primary: RedisNode): Promise<boolean> => {
    for (const n of redis.filter(r => r !== primary && r.running)) {
      const r = await role(n);
      if (r[0] !== 'slave' || r[2] !== primary.port || r[3] !== 'connected') return false;
    }
    return true;
  };

  const set: RedisSentinelSet = {
    sentinels: sentinelNodes.map(s => ({ host: s.host, port: s.port })),
    masterName,
    nodes,
    redis,
    primary: async () => {
      const answer = (await reports()).find(r => r !== undefined);
      if (!answer) throw new Error(`no sentinel answers for the primary of ${masterName}`);
      return { host: answer[0], port: answer[1] };
    },
    primaryNode: async () => nodeAt(await set.primary()),
    failover: async (timeoutMs = readyTimeoutMs) => {
      const killed = await set.primaryNode();
      await killed.kill('SIGKILL');
      const primary = await pollUntil(
        `a new Redis primary for ${masterName} after killing ${killed.name} (port ${killed.port})`,
        async () => {
          const all = await reports();
          const port = all[0]?.[1];
          if (port === undefined || port === killed.port || all.some(r => r?.[1] !== port))
            return undefined;
          const promoted = nodeAt({ host: HOST, port });
          return (await role(promoted))[0] === 'master' ? promoted : undefined;
        },
        timeoutMs,
        200,
      );
      return { killed, primary };
    },
    waitForReplicas: async (timeoutMs = readyTimeoutMs) => {
      await pollUntil(
        `every running Redis node replicating from the primary of ${masterName}`,
        async () => ((await replicating(await set.primaryNode())) ? true : undefined),
        timeoutMs,
        200,
      );
    },
    stop: async () => {
      // Sentinels first, so that they do not fail over while the data nodes go.
      await stopAll(sentinelNodes);
      await stopAll(redis);
      await work.remove();
    },
  };

  try {
    await Promise.all(redis.map(n => n.start()));
    // Replicas linked before the sentinels start: a sentinel learns replicas from the primary's
    // INFO, which it asks for only every 10 s after the first time.
    await pollUntil(
      `Redis replicas of ${first.name} (port ${first.port}) linked`,
      async () => ((await replicating(first)) ? true : undefined),
      readyTimeoutMs,
    );
    await Promise.all(sentinelNodes.map(n => n.start()));
    await pollUntil(
      `sentinels of ${masterName} seeing the primary, ${replicas} replica(s) and each other`,
      async () => {
        for (const s of sentinelNodes) {
          const m = Fields.parse(await ask(s, 'SENTINEL', 'master', masterName));
          if (m.flags !== 'master' || Number(m['num-slaves']) !== replicas) return undefined;
          if (Number(m['num-other-sentinels']) !== sentinelNodes.length - 1) return undefined;
        }
        return true;
      },
      readyTimeoutMs,
      200,
    );
  } catch (err) {
    await set.stop();
    throw err;
  }
  return set;
}
