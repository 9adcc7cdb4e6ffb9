#!/usr/bin/env node
/** Entry point of the history service (HISTORY_* and CQFLEET_* variables, see README.md). */
import {
  announceReady,
  createLogger,
  runService,
  startOptionalAdmin,
  enableProcessMetrics,
} from '@cqfleet/runtime';
import { loadConfig } from './config.js';
import { startHistory } from './service.js';

const config = loadConfig(process.env);
const log = createLogger('history', config.logLevel);
enableProcessMetrics('history');

runService(log, async () => {
  const history = await startHistory(config, log);
  const admin = await startOptionalAdmin(config.grpcHost, config.adminPort, {
    ready: () => true,
    info: () => ({ stored: history.consumer.stored, dropped: history.sweeper.dropped }),
  });
  announceReady(log, { grpc: history.grpc, admin: admin.port });
  return async () => {
    await admin.close();
    await history.stop();
  };
});
