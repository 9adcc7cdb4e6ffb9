/**
 * The chaos run behind `npm run chaos` (README.md): the cluster on a NATS cluster and Redis with
 * Sentinel, under steady traffic, through one fault after another; `runChaos` returns what
 * each fault cost, `table` prints it.
 */
export type { ChaosOptions, ChaosReport } from './scenario.js';
export { runChaos } from './scenario.js';
export type { Losses, PhaseResult } from './report.js';
export { table } from './report.js';
