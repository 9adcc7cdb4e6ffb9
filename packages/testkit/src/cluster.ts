/**
 * The cluster under test: every service as a real process, on free loopback ports, in a unique
 * namespace, against the run's NATS and Redis. Logs are kept and printed when start-up fails
 * or when `CQFLEET_TEST_LOGS=1`.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ClusterOptions,
  formatLogLine,
  type RunningCluster,
  startCluster,
} from '@cqfleet/devcluster';
import { testInfra, uniqueNamespace } from './context.js';

export interface TestCluster extends RunningCluster {
  logs: string[];
}

/**
 * Starts the cluster; its `stop()` also deletes what it left in the run's NATS and Redis (the
 * namespace's event stream and keys), so a developer's servers do not collect every run's.
 */
export async function startTestCluster(
  overrides: Partial<ClusterOptions> = {},
): Promise<TestCluster> {
  const infra = testInfra();
  const logs: string[] = [];
  const show = process.env.CQFLEET_TEST_LOGS === '1';
  try {
    const cluster = await startCluster({
      namespace: uniqueNamespace('e2e'),
      natsUrl: infra.natsUrl,
      redisUrl: infra.redisUrl,
      ports: { simulator: 0, http: 0, ws: 0, history: 0 },
      mediaAllowHosts: ['127.0.0.1', 'localhost'],
      cacheDir: await mkdtemp(join(tmpdir(), 'cqfleet-cache-')),
      logLevel: 'info',
      dropDataOnStop: true,
      ...overrides,
      onLog: (service, line) => {
        logs.push(formatLogLine(service, line));
        if (show) console.log(formatLogLine(service, line));
        overrides.onLog?.(service, line);
      },
    });
    return Object.assign(cluster, { logs });
  } catch (err) {
    console.error(logs.slice(-60).join('\n'));
    throw err;
  }
}
