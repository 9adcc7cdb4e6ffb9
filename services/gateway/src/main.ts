#!/usr/bin/env node
/** Entry point of a gateway (GATEWAY_* and CQFLEET_* variables, see README.md). */
import { CONSOLE_ASSETS_DIR } from '@cqfleet/console';
import { serviceMain } from '@cqfleet/runtime';
import { accountsApi } from './admin/accounts-api.js';
import { firstRoute } from './admin/json-api.js';
import { loadConfig } from './config.js';
import { consoleApi } from './console/console-api.js';
import { consoleStatic } from './console/static-files.js';
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
      // The accounts admin API, the console's API (both behind the admin token) and the
      // console's page (no token: the page asks for it).
      routes: firstRoute([
        accountsApi({
          registry: gw.registry,
          directory: gw.directory,
          router: gw.router,
          token: config.adminToken,
          log,
        }),
        gw.eventStreams.route(),
        consoleApi({
          fleet: gw.fleet,
          router: gw.router,
          sim: gw.sim,
          token: config.adminToken,
          log,
        }),
        consoleStatic(CONSOLE_ASSETS_DIR),
      ]),
    }),
  },
  ready: gw => ({
    replica: gw.replicaId,
    http: `http://${config.host}:${gw.httpPort}`,
    ws: `ws://${config.host}:${gw.wsPort}`,
    accounts: gw.directory.list(),
  }),
});
