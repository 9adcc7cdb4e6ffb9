#!/usr/bin/env node
/** Entry point of a media worker (MEDIA_* and CQFLEET_* variables, see README.md). */
import { serviceMain } from '@cqfleet/runtime';
import { loadConfig } from './config.js';
import { startMedia } from './service.js';

const config = loadConfig(process.env);

serviceMain({
  name: 'media',
  logLevel: config.logLevel,
  start: log => startMedia(config, log),
  admin: {
    host: config.adminHost,
    port: config.adminPort,
    probe: media => ({
      ready: () => media.worker.isRunning(),
      info: () => ({ cacheDir: config.cacheDir }),
    }),
  },
  ready: () => ({ queue: 'media', cacheDir: config.cacheDir, concurrency: config.concurrency }),
});
