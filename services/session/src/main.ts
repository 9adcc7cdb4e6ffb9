#!/usr/bin/env node
/** Entry point of a session worker (configured by SESSION_* and CQFLEET_* variables, see README.md). */
import {
  announceReady,
  createLogger,
  runService,
  startOptionalAdmin,
  enableProcessMetrics,
} from '@cqfleet/runtime';
import { loadConfig } from './config.js';
import { startWorker } from './worker.js';

const config = loadConfig(process.env);
const log = createLogger('session', config.logLevel);
enableProcessMetrics('session');

runService(log, async () => {
  const worker = await startWorker(config, log);
  const admin = await startOptionalAdmin(config.grpcHost, config.adminPort, {
    ready: () => true,
    info: () => ({ worker: worker.id, accounts: [...worker.accounts.keys()] }),
  });
  announceReady(log, {
    worker: worker.id,
    grpc: worker.grpc,
    admin: admin.port,
    accounts: [...worker.accounts.keys()],
  });
  return async () => {
    await admin.close();
    await worker.stop();
  };
});
