#!/usr/bin/env node
/** Entry point: `node dist/main.js` (configured by SIM_* variables, see README.md). */
import { announceReady, createLogger, runService } from '@cqfleet/runtime';
import { loadConfig } from './config.js';
import { startSimulator } from './simulator.js';
import { DEMO_WORLD_PATH, loadWorldFile } from './world-file.js';

const config = loadConfig(process.env);
const log = createLogger('simulator', config.logLevel);

runService(log, async () => {
  const file = await loadWorldFile(config.world ?? DEMO_WORLD_PATH);
  const sim = await startSimulator(file, config, log);
  announceReady(log, {
    control: sim.url,
    driver: sim.url.replace('http', 'ws') + '/driver',
    accounts: sim.world.accounts(),
  });
  return () => sim.close();
});
