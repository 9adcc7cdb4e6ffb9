/** The whole cluster as the benchmarks start it: free loopback ports, its own media cache. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClusterOptions, type RunningCluster, startCluster } from '@cqfleet/devcluster';
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
 * unless `options.dropDataOnStop` is false (the suite drops the namespace itself, later).
 */
export async function startBenchCluster(
  namespace: string,
  infra: { natsUrl: string; redisUrl: string },
  options: Partial<ClusterOptions> = {},
): Promise<RunningCluster> {
  return startCluster({
    namespace,
    natsUrl: infra.natsUrl,
    redisUrl: infra.redisUrl,
    ports: { simulator: 0, http: 0, ws: 0, history: 0 },
    cacheDir: await mkdtemp(join(tmpdir(), 'bench-cache-')),
    dropDataOnStop: true,
    ...options,
  });
}

/** Waits (up to 10 s) until `uin` answers get_login_info: logged in before anything is timed. */
export async function untilLoggedIn(cluster: RunningCluster, uin: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await post(`${cluster.httpUrl}/${uin}/get_login_info`, {})).status === 'ok') return;
    await new Promise(r => setTimeout(r, 100));
  }
}
