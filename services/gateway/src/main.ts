#!/usr/bin/env node
/** Entry point of a gateway (GATEWAY_* and CQFLEET_* variables, see README.md). */
import { serviceMain } from '@cqfleet/runtime';
import { accountsApi } from './admin/accounts-api.js';
import { loadConfig } from './config.js';
import { startGateway } from './gateway.js';

const config = loadConfig(process.env);

serviceMain({
  name: 'gateway',
  logLevel: config.logLevel,
  start: log => startGateway(config, log),
  admin: {
    host: config.host,
    port: config.adminPort,
    probe: (gw, log) => ({
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
    }),
  },
  ready: gw => ({
    replica: gw.replicaId,
    http: `http://${config.host}:${gw.httpPort}`,
    ws: `ws://${config.host}:${gw.wsPort}`,
    accounts: gw.directory.list(),
  }),
});
