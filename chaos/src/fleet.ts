/**
 * The cluster the chaos run breaks: on loopback, three nats-servers in a cluster, a Redis
 * primary and replica with three Sentinels, and every cqfleet service as its own process —
 * the simulator, two history replicas, two session workers, media, two gateways — configured
 * as production is (`CQFLEET_STREAM_REPLICAS=3`, Redis through the Sentinels).
 *
 * One exception, so that one worker can be partitioned from Redis alone: `session-2` dials
 * Redis through a TCP proxy that asks the Sentinels for the primary on every new connection
 * (what an HAProxy in front of a Sentinel-managed Redis does). Cutting the proxy cuts that
 * worker, and only it, from Redis.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Namespace } from '@cqfleet/contracts';
import {
  formatLogLine,
  type NatsCluster,
  type RedisSentinelSet,
  type ServiceName,
  type ServiceProcess,
  spawnService,
  startNatsCluster,
  startRedisSentinel,
  startTcpProxy,
  type TcpProxy,
} from '@cqfleet/devcluster';

const HOST = '127.0.0.1';

/** The demo world's accounts, both members of the group the traffic is said in. */
export const ACCOUNTS = [10001, 10002] as const;

export interface GatewayHandle {
  name: string;
  httpUrl: string;
  wsUrl: string;
  process: ServiceProcess;
}

export interface Fleet {
  dir: string;
  namespace: Namespace;
  nats: NatsCluster;
  redis: RedisSentinelSet;
  /** What session-2 dials instead of Redis. */
  redisProxy: TcpProxy;
  simulatorUrl: string;
  gateways: GatewayHandle[];
  sessions: ServiceProcess[];
  services: ServiceProcess[];
  /** Stops every process and server; keeps `dir` (its logs). */
  stop(): Promise<void>;
}

export interface FleetOptions {
  /** Where servers keep their files and `cluster.log` is written. */
  dir: string;
  /** Outbound endpoints every gateway delivers to (the gateway's config file). */
  endpoints: { httpPost: string; wsReverse: string };
  /** Extra environment for every service (e.g. shorter leases in the short run). */
  env?: Record<string, string>;
}

export async function startFleet(options: FleetOptions): Promise<Fleet> {
  await mkdir(options.dir, { recursive: true });
  const log: WriteStream = createWriteStream(join(options.dir, 'cluster.log'), { flags: 'a' });
  const onLog = (service: string, line: string) => log.write(`${formatLogLine(service, line)}\n`);
  const namespace = new Namespace(`chaos-${process.pid}`);
  const services: ServiceProcess[] = [];
  const stopServers: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of [...services].reverse()) await s.stop(3_000);
    for (const f of stopServers.reverse()) await f().catch(() => undefined);
    await new Promise(r => log.end(r));
  };
  try {
    const nats = await startNatsCluster({ size: 3, dir: join(options.dir, 'nats') });
    stopServers.push(() => nats.stop());
    const redis = await startRedisSentinel({ dir: join(options.dir, 'redis') });
    stopServers.push(() => redis.stop());
    await Promise.all([nats.waitForMeta(), redis.waitForReplicas()]);
    // `SENTINEL get-master-addr-by-name` for every connection session-2 opens.
    const redisProxy = await startTcpProxy(() => redis.primary());
    stopServers.push(() => redisProxy.stop());

    const gatewayConfig = join(options.dir, 'gateway.json');
    await writeFile(
      gatewayConfig,
      JSON.stringify({
        http_post: [{ url: options.endpoints.httpPost, accounts: '*' }],
        ws_reverse: [{ universal: options.endpoints.wsReverse, accounts: '*' }],
      }),
    );
    const common: Record<string, string> = {
      CQFLEET_NAMESPACE: namespace.name,
      CQFLEET_NATS_URL: nats.url,
      CQFLEET_STREAM_REPLICAS: '3',
      CQFLEET_REDIS_SENTINELS: redis.sentinels.map(s => `${s.host}:${s.port}`).join(','),
      CQFLEET_REDIS_MASTER: redis.masterName,
      CQFLEET_LOG_LEVEL: 'info',
      ...options.env,
    };
    const start = async (name: ServiceName, label: string, env: Record<string, string>) => {
      const s = await spawnService(name, label, env, { onLog });
      services.push(s);
      return s;
    };

    const sim = await start('simulator', 'simulator', { ...common, SIM_HOST: HOST, SIM_PORT: '0' });
    const simulatorUrl = String(sim.ready.control);
    const histories = await Promise.all(
      [1, 2].map(n =>
        start('history', `history-${n}`, {
          ...common,
          HISTORY_GRPC_HOST: HOST,
          HISTORY_GRPC_PORT: '0',
          HISTORY_ADMIN_PORT: '0',
        }),
      ),
    );
    // Both replicas behind one gRPC target: the client fails over to the other when one goes.
    const historyAddr = `ipv4:${histories.map(h => String(h.ready.grpc)).join(',')}`;
    const sessionEnv = (n: number): Record<string, string> => {
      const env: Record<string, string> = {
        ...common,
        SESSION_GRPC_HOST: HOST,
        SESSION_WORKER_ID: `session-${n}`,
        SESSION_SEED_ACCOUNTS: ACCOUNTS.join(','),
        SESSION_SIMULATOR_URL: simulatorUrl,
        SESSION_HISTORY_ADDR: historyAddr,
        SESSION_ADMIN_PORT: '0',
      };
      if (n === 2) {
        delete env.CQFLEET_REDIS_SENTINELS;
        delete env.CQFLEET_REDIS_MASTER;
        env.CQFLEET_REDIS_URL = `redis://${redisProxy.host}:${redisProxy.port}`;
      }
      return env;
    };
    const cacheDir = join(options.dir, 'media-cache');
    const [session1, session2] = await Promise.all([
      start('session', 'session-1', sessionEnv(1)),
      start('session', 'session-2', sessionEnv(2)),
      start('media', 'media', {
        ...common,
        MEDIA_CACHE_DIR: cacheDir,
        MEDIA_FILE_ROOTS: cacheDir,
        MEDIA_ADMIN_PORT: '0',
      }),
    ]);
    const gateways: GatewayHandle[] = [];
    for (const n of [1, 2]) {
      const name = `gateway-${n}`;
      const g = await start('gateway', name, {
        ...common,
        GATEWAY_HOST: HOST,
        GATEWAY_HTTP_PORT: '0',
        GATEWAY_WS_PORT: '0',
        GATEWAY_ADMIN_PORT: '0',
        GATEWAY_HISTORY_ADDR: historyAddr,
        GATEWAY_REPLICA_ID: name,
        GATEWAY_CONFIG_FILE: gatewayConfig,
        GATEWAY_HEARTBEAT_INTERVAL_MS: '0',
      });
      gateways.push({
        name,
        httpUrl: String(g.ready.http),
        wsUrl: String(g.ready.ws),
        process: g,
      });
    }
    return {
      dir: options.dir,
      namespace,
      nats,
      redis,
      redisProxy,
      simulatorUrl,
      gateways,
      sessions: [session1, session2],
      services,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
