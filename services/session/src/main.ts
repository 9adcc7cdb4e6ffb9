#!/usr/bin/env node
/** Entry point of a session worker (configured by SESSION_* and CQFLEET_* variables, see README.md). */
import { serviceMain } from '@cqfleet/runtime';
import { loadConfig } from './config.js';
import { startWorker } from './worker.js';

const config = loadConfig(process.env);

serviceMain({
  name: 'session',
  logLevel: config.logLevel,
  start: log => startWorker(config, log),
  admin: {
    host: config.grpcHost,
    port: config.adminPort,
    probe: worker => ({
      ready: () => true,
      info: () => ({ worker: worker.id, accounts: [...worker.accounts.keys()] }),
    }),
  },
  ready: worker => ({
    worker: worker.id,
    grpc: worker.grpc,
    accounts: [...worker.accounts.keys()],
  }),
});
