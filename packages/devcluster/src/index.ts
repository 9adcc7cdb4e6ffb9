/**
 * @cqfleet/devcluster — the whole cluster on one machine, for `npm start` and tests.
 *
 * ```ts
 * const redis = await ensureRedis('redis://127.0.0.1:6379');
 * const nats = await ensureNats('nats://127.0.0.1:4222');
 * const cluster = await startCluster({ namespace: 'demo', natsUrl: nats.url, redisUrl: redis.url });
 * // cluster.httpUrl, cluster.wsUrl, cluster.simulatorUrl; await cluster.stop()
 * ```
 */
export type { ClusterOptions, RunningCluster, ServiceName, ServiceProcess } from './cluster.js';
export { REPO_ROOT, spawnService, startCluster } from './cluster.js';
export type { InfraProcess } from './infra.js';
export {
  ensureNats,
  ensureRedis,
  findBinary,
  freePort,
  installMissingServers,
  installSystemPackages,
  MissingInfraError,
  probeTcp,
} from './infra.js';
export { formatLogLine } from './log-format.js';
export { writeWorld } from './world-file.js';
