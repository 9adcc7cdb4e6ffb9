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
      // The fence each account is run under: a worker that runs an account again after losing
      // it does so under a new fence (tests watch ownership through this).
      info: () => ({
        worker: worker.id,
        accounts: [...worker.accounts.keys()],
        fences: Object.fromEntries([...worker.accounts].map(([uin, a]) => [uin, a.lease.fence])),
      }),
    }),
  },
  ready: worker => ({
    worker: worker.id,
    grpc: worker.grpc,
    accounts: [...worker.accounts.keys()],
  }),
});
