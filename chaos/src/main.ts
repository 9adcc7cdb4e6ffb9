#!/usr/bin/env node
/**
 * `npm run chaos [-- --quick] [--json <file>]`: the chaos run (README.md). `--quick` is the short
 * version the integration test runs (12 s phases). Prints a table per fault and exits 1 when an
 * event was lost, an action executed twice, or an action answered ok was never executed.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { runChaos, table } from './index.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'string' },
    'phase-seconds': { type: 'string' },
  },
});

const phaseSeconds = Number(values['phase-seconds'] ?? (values.quick ? 12 : 30));
const started = Date.now();
const report = await runChaos({
  phaseSeconds,
  log: line => console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${line}`),
});
console.log(`\n${table(report.results)}\n`);
for (const r of report.results) {
  if (r.detail) console.log(`- ${r.name}: ${r.detail}`);
  if (r.lastTrouble) console.log(`    last trouble: ${r.lastTrouble}`);
  for (const f of r.failures) console.log(`    failed: ${f}`);
}
console.log(`\nlogs: ${report.dir}/cluster.log`);
if (values.json) await writeFile(values.json, JSON.stringify(report, null, 2));
const bad = report.results.some(
  r =>
    r.httpPost.lost + r.reverseWs.lost + r.forwardWs.lost > 0 ||
    r.actionsTwice > 0 ||
    r.actionsOkNotExecuted > 0,
);
process.exit(bad ? 1 : 0);
