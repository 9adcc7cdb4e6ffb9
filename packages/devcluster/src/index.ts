/**
 * @cqfleet/devcluster — the whole cluster on one machine, for `npm start` and tests.
 *
 * ```ts
 * const redis = await ensureRedis('redis://127.0.0.1:6379');
 * const nats = await ensureNats('nats://127.0.0.1:4222');
 * const cluster = await startCluster({ namespace: 'demo', natsUrl: nats.url, redisUrl: redis.url });
 * // cluster.httpUrl, cluster.wsUrl, cluster.simulatorUrl; await cluster.stop()
 * ```
 *
 * Highly-available infrastructure on loopback, for the chaos run and fault tests:
 * `startNatsCluster` (three routed nats-servers with JetStream), `startRedisSentinel` (primary,
 * replica, three sentinels) and `startTcpProxy` (a proxy that can be cut like a partition).
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
export type { DroppedData } from './namespace-data.js';
export { dropNamespaceData, dropNamespacesData, unlinkMatching } from './namespace-data.js';
export type { NatsCluster, NatsClusterOptions } from './nats-cluster.js';
export { NatsNode, startNatsCluster } from './nats-cluster.js';
export type { HostPort, RedisSentinelOptions, RedisSentinelSet } from './redis-sentinel.js';
export { RedisNode, startRedisSentinel } from './redis-sentinel.js';
export type { ServerSpec } from './server-node.js';
export { ServerNode } from './server-node.js';
export type { ProxyTarget, TcpProxy, TcpProxyOptions } from './tcp-proxy.js';
export { startTcpProxy } from './tcp-proxy.js';
export { writeWorld } from './world-file.js';
