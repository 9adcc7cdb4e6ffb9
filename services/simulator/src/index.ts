/**
 * @cqfleet/simulator — the simulated QQ network, also embeddable in tests.
 *
 * ```ts
 * const sim = await startSimulator(await loadWorldFile(DEMO_WORLD_PATH), { host: '127.0.0.1', port: 0 }, log);
 * // drivers connect to `${sim.url}/driver`; tests act through new SimControl(sim.url)
 * ```
 */
export type { RunningSimulator, SimulatorOptions } from './simulator.js';
export { startSimulator } from './simulator.js';
export { loadConfig } from './config.js';
export type { Config } from './config.js';
export { buildWorld } from './world/build.js';
export type { OpCaller, OpTable } from './world/ops.js';
export { callerOf, opTable, runOp } from './world/ops.js';
export type { WorldOptions } from './world/state.js';
export { WorldState } from './world/state.js';
export type { WorldFileInput } from './world-file.js';
export { DEMO_WORLD_PATH, loadWorldFile, WorldFile } from './world-file.js';
