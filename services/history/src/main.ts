#!/usr/bin/env node
/** Entry point of the history service (HISTORY_* and CQFLEET_* variables, see README.md). */
import { serviceMain } from '@cqfleet/runtime';
import { loadConfig } from './config.js';
import { startHistory } from './service.js';

const config = loadConfig(process.env);

serviceMain({
  name: 'history',
  logLevel: config.logLevel,
  start: log => startHistory(config, log),
  admin: {
    host: config.grpcHost,
    port: config.adminPort,
    probe: history => ({
      ready: () => true,
      info: () => ({ stored: history.consumer.stored, dropped: history.sweeper.dropped }),
    }),
  },
  ready: history => ({ grpc: history.grpc }),
});
