#!/usr/bin/env node
/** Entry point of a media worker (MEDIA_* and CQFLEET_* variables, see README.md). */
import {
  announceReady,
  createLogger,
  runService,
  startOptionalAdmin,
  enableProcessMetrics,
} from '@cqfleet/runtime';
import { loadConfig } from './config.js';
import { startMedia } from './service.js';

const config = loadConfig(process.env);
const log = createLogger('media', config.logLevel);
enableProcessMetrics('media');

runService(log, async () => {
  const media = await startMedia(config, log);
  const admin = await startOptionalAdmin(config.adminHost, config.adminPort, {
    ready: () => media.worker.isRunning(),
    info: () => ({ cacheDir: config.cacheDir }),
  });
  announceReady(log, {
    queue: 'media',
    cacheDir: config.cacheDir,
    concurrency: config.concurrency,
    admin: admin.port,
  });
  return async () => {
    await admin.close();
    await media.stop();
  };
});
