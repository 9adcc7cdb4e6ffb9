/**
 * Starts every cqfleet service as its own process (the built `services/<name>/dist/main.js`),
 * in dependency order, each configured through its environment variables, and waits for each
 * one's `ready` log line, which also tells where it listens.
 *
 * Order: simulator → history → session workers and media → gateway.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { exited, spawnOwned, stopChild } from './infra.js';
import { dropNamespaceData } from './namespace-data.js';

/** The repository root, from packages/devcluster/{src,dist}/. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export type ServiceName = 'simulator' | 'session' | 'history' | 'media' | 'gateway';

export interface ClusterOptions {
  namespace: string;
  natsUrl: string;
  redisUrl: string;
  /** Address every service binds. @default '127.0.0.1' */
  host?: string;
  /** Ports; 0 picks a free one. Defaults are the go-cqhttp / cqfleet defaults. */
  ports?: { simulator?: number; http?: number; ws?: number; history?: number };
  /** Number of session workers. @default 1 */
  sessions?: number;
  /** Number of gateway replicas (the first gets `ports.http` / `ports.ws`, others free ports). @default 1 */
  gateways?: number;
  /** Operator access token of the gateway. @default '' */
  accessToken?: string;
  /**
   * Admin port of the first gateway (its /healthz, accounts admin API and the console at
   * `/console/`); the others get free ports. @default 0 (a free port)
   */
  adminPort?: number;
  /**
   * GATEWAY_ADMIN_TOKEN of every gateway (the accounts admin API and the console's API). When
   * absent nothing is set here, so `env` may carry it. @default none
   */
  adminToken?: string;
  /** World file for the simulator; the demo world when absent. */
  world?: string;
  /** Accounts to register (they must exist in the world). @default [10001, 10002] */
  accounts?: number[];
  /** Hosts media downloads may reach although private (tests serve files on 127.0.0.1). */
  mediaAllowHosts?: string[];
  /** Where local data lives: the media cache (`cache/`) and files clients may send (`files/`). @default '<repo>/.data' */
  dataDir?: string;
  /** Media cache directory. @default '<dataDir>/cache' */
  cacheDir?: string;
  /**
   * Variables already in this process's environment win over the ones the cluster sets
   * (`npm start`: what the user exported is honoured). Off for tests, so that a developer's
   * shell cannot change the cluster under test.
   */
  exportedWins?: boolean;
  /**
   * `stop()` also deletes what the cluster left in NATS and Redis, its namespace's event stream
   * and keys (namespace-data.ts): for a test's or benchmark's namespace of its own, so that runs
   * do not pile up in the shared servers. A failed deletion is a warning. @default false
   */
  dropDataOnStop?: boolean;
  /** Extra environment for every service (e.g. GATEWAY_MESSAGE_FORMAT=array). */
  env?: Record<string, string>;
  /** @default 'info' */
  logLevel?: string;
  /** Every log line of every service. */
  onLog?: (service: string, line: string) => void;
  /** Longest wait for one service's ready line. @default 30 s */
  readyTimeoutMs?: number;
}

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  ready: Record<string, unknown>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL at once (fault tests). */
  kill(): Promise<void>;
}

export interface RunningCluster {
  options: ClusterOptions;
  simulatorUrl: string;
  httpUrl: string;
  wsUrl: string;
  historyAddr: string;
  /** Every gateway replica's endpoints, the first one's being httpUrl / wsUrl. */
  gateways: Array<{ name: string; httpUrl: string; wsUrl: string; adminUrl: string }>;
  accounts: number[];
  services: ServiceProcess[];
  /** Starts one more session worker. */
  addSession(): Promise<ServiceProcess>;
  /** Starts one more gateway replica on free ports. */
  addGateway(): Promise<{ name: string; httpUrl: string; wsUrl: string; adminUrl: string }>;
  stop(): Promise<void>;
}

export async function spawnService(
  name: ServiceName,
  label: string,
  env: Record<string, string>,
  options: Pick<ClusterOptions, 'onLog' | 'readyTimeoutMs' | 'exportedWins'>,
): Promise<ServiceProcess> {
  const main = `${REPO_ROOT}services/${name}/dist/main.js`;
  if (!existsSync(main)) throw new Error(`${main} does not exist: run \`npm run build\` first`);
  // BENCH_CPU_PROF=<dir>: every service writes a V8 CPU profile there when it exits.
  const profile = process.env.BENCH_CPU_PROF;
  const args = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`, main] : [main];
  const child = spawnOwned(process.execPath, args, {
    env: options.exportedWins ? { ...env, ...process.env } : { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const recent: string[] = [];
  const log = (line: string) => {
    recent.push(line);
    if (recent.length > 30) recent.shift();
    options.onLog?.(label, line);
  };
  createInterface({ input: child.stderr! }).on('line', log);
  let exitedEarly: (code: number | null) => void = () => undefined;
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `${label} not ready within ${options.readyTimeoutMs ?? 30_000} ms:\n${recent.join('\n')}`,
        ),
      );
    }, options.readyTimeoutMs ?? 30_000);
    exitedEarly = code => {
      clearTimeout(timer);
      reject(
        new Error(`${label} exited with code ${code} before it was ready:\n${recent.join('\n')}`),
      );
    };
    child.once('exit', exitedEarly);
    createInterface({ input: child.stdout! }).on('line', line => {
      log(line);
      if (!line.includes('"ready":true')) return;
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if (parsed.msg === 'ready') {
          clearTimeout(timer);
          resolve(parsed);
        }
      } catch {
        // not a JSON line
      }
    });
  });
  // Only the start-up listener goes: the one that forgets the child must stay.
  child.off('exit', exitedEarly);
  return {
    name: label,
    child,
    ready,
    stop: (graceMs = 10_000) => stopChild(child, graceMs),
    kill: async () => {
      const done = exited(child);
      child.kill('SIGKILL');
      await done;
    },
  };
}

export async function startCluster(options: ClusterOptions): Promise<RunningCluster> {
  const host = options.host ?? '127.0.0.1';
  const ports = options.ports ?? {};
  const accounts = options.accounts ?? [10001, 10002];
  const dataDir = options.dataDir ?? `${REPO_ROOT}.data`;
  const cacheDir = options.cacheDir ?? `${dataDir}/cache`;
  const common: Record<string, string> = {
    CQFLEET_NAMESPACE: options.namespace,
    CQFLEET_NATS_URL: options.natsUrl,
    CQFLEET_REDIS_URL: options.redisUrl,
    CQFLEET_LOG_LEVEL: options.logLevel ?? 'info',
    ...options.env,
  };
  const services: ServiceProcess[] = [];
  const spawnOpts = {
    onLog: options.onLog,
    readyTimeoutMs: options.readyTimeoutMs,
    exportedWins: options.exportedWins,
  };
  const start = async (name: ServiceName, label: string, env: Record<string, string>) => {
    const s = await spawnService(name, label, { ...common, ...env }, spawnOpts);
    services.push(s);
    return s;
  };

  try {
    const sim = await start('simulator', 'simulator', {
      SIM_HOST: host,
      SIM_PORT: String(ports.simulator ?? 5900),
      ...(options.world ? { SIM_WORLD: options.world } : {}),
    });
    const simulatorUrl = String(sim.ready.control);
    const history = await start('history', 'history', {
      HISTORY_GRPC_HOST: host,
      HISTORY_GRPC_PORT: String(ports.history ?? 7100),
      HISTORY_ADMIN_PORT: '0',
    });
    const historyAddr = String(history.ready.grpc);
    // Local files clients may name: the media cache and the data directory's files/.
    const fileRoots = [cacheDir, `${dataDir}/files`].join(',');
    let sessions = 0;
    const sessionEnv = () => ({
      SESSION_GRPC_HOST: host,
      SESSION_WORKER_ID: `session-${++sessions}-${process.pid}`,
      SESSION_SEED_ACCOUNTS: accounts.join(','),
      SESSION_SIMULATOR_URL: simulatorUrl,
      SESSION_HISTORY_ADDR: historyAddr,
      // /readyz lists the accounts a worker runs (tests watch ownership through it).
      SESSION_ADMIN_PORT: '0',
    });
    await Promise.all([
      ...Array.from({ length: options.sessions ?? 1 }, () =>
        start('session', `session-${sessions + 1}`, sessionEnv()),
      ),
      start('media', 'media', {
        MEDIA_CACHE_DIR: cacheDir,
        MEDIA_FILE_ROOTS: fileRoots,
        MEDIA_ADMIN_PORT: '0',
        MEDIA_ALLOW_HOSTS: (options.mediaAllowHosts ?? []).join(','),
      }),
    ]);
    let gatewayCount = 0;
    const gateways: RunningCluster['gateways'] = [];
    const startGateway = async () => {
      const n = ++gatewayCount;
      const name = n === 1 ? 'gateway' : `gateway-${n}`;
      const g = await start('gateway', name, {
        GATEWAY_HOST: host,
        GATEWAY_HTTP_PORT: String(n === 1 ? (ports.http ?? 5700) : 0),
        GATEWAY_WS_PORT: String(n === 1 ? (ports.ws ?? 8080) : 0),
        GATEWAY_ACCESS_TOKEN: options.accessToken ?? '',
        GATEWAY_HISTORY_ADDR: historyAddr,
        GATEWAY_REPLICA_ID: `${name}-${process.pid}`,
        // /healthz, /readyz, the accounts admin API and the console (GATEWAY_ADMIN_TOKEN).
        GATEWAY_ADMIN_PORT: String(n === 1 ? (options.adminPort ?? 0) : 0),
        ...(options.adminToken !== undefined ? { GATEWAY_ADMIN_TOKEN: options.adminToken } : {}),
        // The console's demo chat talks to the simulator through the gateway (sim-proxy.ts).
        GATEWAY_SIMULATOR_URL: simulatorUrl,
      });
      const urls = {
        name,
        httpUrl: String(g.ready.http),
        wsUrl: String(g.ready.ws),
        adminUrl: `http://${host}:${String(g.ready.admin)}`,
      };
      gateways.push(urls);
      return urls;
    };
    for (let i = 0; i < (options.gateways ?? 1); i++) await startGateway();
    const first = gateways[0]!;
    const stop = async () => {
      // Reverse order: clients first, then the services they depend on.
      for (const s of [...services].reverse()) await s.stop();
      if (options.dropDataOnStop)
        await dropNamespaceData(options).catch((err: unknown) =>
          console.warn(`could not drop namespace ${options.namespace}'s data: ${String(err)}`),
        );
    };
    return {
      options,
      simulatorUrl,
      httpUrl: first.httpUrl,
      wsUrl: first.wsUrl,
      historyAddr,
      gateways,
      accounts,
      services,
      addSession: () => start('session', `session-${sessions + 1}`, sessionEnv()),
      addGateway: startGateway,
      stop,
    };
  } catch (err) {
    for (const s of services.reverse()) await s.stop(2_000);
    throw err;
  }
}
