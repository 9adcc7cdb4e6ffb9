/** The whole cluster as the benchmarks start it: free loopback ports, its own media cache. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ClusterOptions,
  dropNamespaceData,
  type RunningCluster,
  startCluster,
} from '@cqfleet/devcluster';
import { post } from './http-client.js';

/** What a suite that runs the whole cluster is given. */
export interface ClusterSuiteOptions {
  natsUrl: string;
  redisUrl: string;
  quick: boolean;
}

/**
 * The suite's cluster in its own namespace; `stop()` also deletes what it left in NATS and
 * Redis (its event stream and keys), so runs do not pile up in the servers later runs measure,
 * unless `keepData` (the suite drops the namespace itself, later).
 */
export async function startBenchCluster(
  namespace: string,
  infra: { natsUrl: string; redisUrl: string },
  options: Partial<ClusterOptions> = {},
  { keepData = false } = {},
): Promise<RunningCluster> {
  const cluster = await startCluster({
    namespace,
    natsUrl: infra.natsUrl,
    redisUrl: infra.redisUrl,
    ports: { simulator: 0, http: 0, ws: 0, history: 0 },
    cacheDir: await mkdtemp(join(tmpdir(), 'bench-cache-')),
    ...options,
  });
  if (keepData) return cluster;
  const stop = cluster.stop;
  return Object.assign(cluster, {
    stop: async () => {
      await stop();
      await dropNamespaceData({ ...infra, namespace }).catch((err: unknown) =>
        console.warn(`could not drop namespace ${namespace}'s data: ${String(err)}`),
      );
    },
  });
}

/** Waits (up to 10 s) until `uin` answers get_login_info: logged in before anything is timed. */
export async function untilLoggedIn(cluster: RunningCluster, uin: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await post(`${cluster.httpUrl}/${uin}/get_login_info`, {})).status === 'ok') return;
    await new Promise(r => setTimeout(r, 100));
  }
}
