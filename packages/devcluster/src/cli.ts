#!/usr/bin/env node
/**
 * `npm start`: the whole cluster on this machine with the simulator and the demo world.
 *
 * Redis and NATS are used where they answer (CQFLEET_REDIS_URL / CQFLEET_NATS_URL, default
 * local ports) or started from the local binaries, installed first when missing and allowed
 * (scripts/system-deps.sh); every service runs as its own process and its logs are shown with
 * its name. Data lives under CQFLEET_DEV_DATA_DIR (default `<repo>/.data`). A service variable the
 * user exported (GATEWAY_HTTP_PORT, SESSION_FILE_ROOTS, ...) wins over the value set here.
 * The first gateway's admin port (the operator console at `/console/`, the accounts admin API)
 * is ADMIN_PORT unless GATEWAY_ADMIN_PORT says otherwise; its token is GATEWAY_ADMIN_TOKEN, or
 * one drawn at random for this run; both are printed. Ctrl-C stops everything gracefully.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { DEFAULT_NATS_URL, DEFAULT_REDIS_URL } from '@cqfleet/runtime';
import { REPO_ROOT, startCluster } from './cluster.js';
import { ensureNats, ensureRedis, type InfraProcess, installMissingServers } from './infra.js';
import { formatLogLine } from './log-format.js';

const env = process.env;
const natsUrl = env.CQFLEET_NATS_URL ?? env.NATS_URL ?? DEFAULT_NATS_URL;
const redisUrl = env.CQFLEET_REDIS_URL ?? env.REDIS_URL ?? DEFAULT_REDIS_URL;
const namespace = env.CQFLEET_NAMESPACE ?? 'cqfleet';
const quiet = env.CQFLEET_DEV_QUIET === '1';
const dataDir = env.CQFLEET_DEV_DATA_DIR ?? `${REPO_ROOT}.data`;
/** The console's port: next to the HTTP API's 5700, clear of 8080, 5900 and 7100. */
const ADMIN_PORT = 5780;
/** Exported (even empty: the admin APIs off) or drawn for this run. */
const adminToken = env.GATEWAY_ADMIN_TOKEN ?? randomBytes(18).toString('base64url');

/** What this process started, stopped in reverse order whatever ends it. */
const started: Array<{ stop(): Promise<void> }> = [];
let stopping = false;

async function stop(code: number, why?: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (why) console.error(why);
  if (started.length > 0) console.log('\nstopping cqfleet ...');
  for (const s of started.reverse()) await s.stop().catch(() => undefined);
  process.exit(code);
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  // Under `npm start` the parent is npm: killed (SIGKILL), it cannot pass a signal on, and this
  // process would be left running the cluster. It notices being orphaned and stops everything.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void stop(0, 'the process that started cqfleet is gone');
  }, 1_000).unref();
  await mkdir(`${dataDir}/redis`, { recursive: true });
  await mkdir(`${dataDir}/nats`, { recursive: true });
  await installMissingServers([
    { url: redisUrl, binary: 'redis-server' },
    { url: natsUrl, binary: 'nats-server' },
  ]);
  const redis = await ensureRedis(redisUrl, `${dataDir}/redis`);
  started.push(redis);
  const nats = await ensureNats(natsUrl, `${dataDir}/nats`);
  started.push(nats);

  const cluster = await startCluster({
    namespace,
    natsUrl,
    redisUrl,
    accessToken: env.GATEWAY_ACCESS_TOKEN ?? '',
    adminPort: ADMIN_PORT,
    adminToken,
    world: env.SIM_WORLD,
    dataDir,
    exportedWins: true,
    // The simulator serves received media on loopback; media workers may fetch from it.
    mediaAllowHosts: ['127.0.0.1'],
    logLevel: env.CQFLEET_LOG_LEVEL ?? 'info',
    onLog: quiet ? undefined : (service, line) => console.log(formatLogLine(service, line)),
  });
  started.push(cluster);
  const how = (p: InfraProcess) =>
    p.origin === 'running' ? 'already running' : `started from ${p.binary}`;
  const first = cluster.accounts[0];
  const consoleUrl = `${cluster.gateways[0]!.adminUrl}/console/`;
  console.log(
    [
      '',
      `cqfleet is running (namespace ${namespace}, ${cluster.services.length} processes)`,
      `  HTTP API      ${cluster.httpUrl}      one account: ${cluster.httpUrl}/${first}/`,
      `  WebSocket     ${cluster.wsUrl}        /, /api, /event; one account: ${cluster.wsUrl}/${first}/`,
      `  Simulator     ${cluster.simulatorUrl}      control API (services/simulator/README.md)`,
      adminToken
        ? `  Console       ${consoleUrl}   token: ${adminToken}`
        : `  Console       ${consoleUrl}   (GATEWAY_ADMIN_TOKEN is empty: its API is off)`,
      `  Accounts      ${cluster.accounts.join(', ')}`,
      `  NATS          ${natsUrl} (${how(nats)})`,
      `  Redis         ${redisUrl} (${how(redis)})`,
      '',
      `  try: curl '${cluster.httpUrl}/${first}/send_group_msg?group_id=100100&message=hello'`,
      `       curl -X POST ${cluster.simulatorUrl}/people/20001/send_group_msg -d '{"group_id":100100,"message":"hi bots"}'`,
      '',
      'Ctrl-C stops everything.',
    ].join('\n'),
  );
  for (const s of cluster.services)
    s.child.once('exit', code => {
      if (!stopping) {
        console.error(`${s.name} exited unexpectedly (code ${code}); stopping`);
        void stop(1);
      }
    });
}

// A missing server is one line (MissingInfraError), as is any other failure to start.
main().catch((err: unknown) => void stop(1, err instanceof Error ? err.message : String(err)));
