#!/usr/bin/env node
/** Entry point of a gateway (GATEWAY_* and CQFLEET_* variables, see README.md). */
import {
  announceReady,
  createLogger,
  runService,
  startOptionalAdmin,
  enableProcessMetrics,
} from '@cqfleet/runtime';
import { loadConfig } from './config.js';
import { accountsApi } from './admin/accounts-api.js';
import { startGateway } from './gateway.js';

const config = loadConfig(process.env);
const log = createLogger('gateway', config.logLevel);
enableProcessMetrics('gateway');

runService(log, async () => {
  const gw = await startGateway(config, log);
  const admin = await startOptionalAdmin(config.host, config.adminPort, {
    ready: () => true,
    info: () => ({
      replica: gw.replicaId,
      accounts: gw.directory.list(),
      deliveries: gw.deliveries.deliveries(),
    }),
    routes: accountsApi({
      registry: gw.registry,
      directory: gw.directory,
      router: gw.router,
      token: config.adminToken,
      log,
    }),
  });
  announceReady(log, {
    replica: gw.replicaId,
    http: `http://${config.host}:${gw.httpPort}`,
    ws: `ws://${config.host}:${gw.wsPort}`,
    admin: admin.port,
    accounts: gw.directory.list(),
  });
  return async () => {
    await admin.close();
    await gw.stop();
  };
});
