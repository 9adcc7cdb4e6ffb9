/**
 * A whole gateway in the test's process, on the run's NATS and Redis, for the integration tests
 * that need its real routing and transports without the rest of the cluster: both ports picked
 * by the system, no heartbeats, `env` on top.
 */
import type { Namespace } from '@cqfleet/contracts';
import type { Logger } from '@cqfleet/runtime';
import { testInfra } from '@cqfleet/testkit';
import { loadConfig, type RunningGateway, startGateway } from '@cqfleet/gateway';

export function startLocalGateway(
  ns: Namespace,
  log: Logger,
  env: Record<string, string> = {},
): Promise<RunningGateway> {
  return startGateway(
    loadConfig({
      CQFLEET_NAMESPACE: ns.name,
      CQFLEET_NATS_URL: testInfra().natsUrl,
      CQFLEET_REDIS_URL: testInfra().redisUrl,
      GATEWAY_HTTP_PORT: '0',
      GATEWAY_WS_PORT: '0',
      GATEWAY_HEARTBEAT_INTERVAL_MS: '0',
      ...env,
    }),
    log,
  );
}
