/**
 * The demo world under test, ready to use: the cluster, an HTTP client and a universal
 * forward-WS connection per account (10001 = alpha, 10002 = beta), and the simulator's control
 * API. Both accounts are online when it resolves.
 */
import type { ClusterOptions } from '@cqfleet/devcluster';
import { SimControl } from '@cqfleet/sim-client';
import { OneBotHttp, OneBotWs } from './clients.js';
import { startTestCluster, type TestCluster } from './cluster.js';
import { waitFor } from './context.js';

export interface DemoWorld {
  cluster: TestCluster;
  alpha: OneBotHttp;
  beta: OneBotHttp;
  wsA: OneBotWs;
  wsB: OneBotWs;
  sim: SimControl;
  close(): Promise<void>;
}

export async function startDemoWorld(overrides: Partial<ClusterOptions> = {}): Promise<DemoWorld> {
  const cluster = await startTestCluster(overrides);
  const headers: Record<string, string> = overrides.accessToken
    ? { authorization: `Bearer ${overrides.accessToken}` }
    : {};
  const alpha = new OneBotHttp(`${cluster.httpUrl}/10001`, overrides.accessToken);
  const beta = new OneBotHttp(`${cluster.httpUrl}/10002`, overrides.accessToken);
  const online = async (http: OneBotHttp) =>
    (await http.call('get_login_info')).status === 'ok' ? true : undefined;
  await waitFor(
    async () => ((await online(alpha)) && (await online(beta)) ? true : undefined),
    15_000,
    'both accounts online',
  );
  const wsA = await OneBotWs.connect(`${cluster.wsUrl}/10001/`, headers);
  const wsB = await OneBotWs.connect(`${cluster.wsUrl}/10002/`, headers);
  return {
    cluster,
    alpha,
    beta,
    wsA,
    wsB,
    sim: new SimControl(cluster.simulatorUrl),
    close: async () => {
      await Promise.all([wsA.close(), wsB.close()]);
      await cluster.stop();
    },
  };
}
