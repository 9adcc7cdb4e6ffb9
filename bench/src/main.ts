#!/usr/bin/env node
/**
 * `npm run bench [-- [--quick] suite ...]`: runs the named suites (all when none is named)
 * against loopback Redis and NATS — the ones that answer at CQFLEET_REDIS_URL /
 * CQFLEET_NATS_URL (or the default ports), else started from the local binaries — prints
 * Markdown, and writes it with its tables as JSON to bench/results/<suite>.{md,json}
 * (bench/results/quick/ for `--quick`).
 * `--quick` shrinks every suite. Sizes: BENCH_HISTORY_MESSAGES (1000000; quick 50000),
 * BENCH_HISTORY_COMPARE (100000; quick 10000), BENCH_MEDIA_MB (200; quick 50),
 * BENCH_MEDIA_RUNS (3; quick 1), BENCH_MEDIA_CONN_MBPS (40), BENCH_OCR_IMAGES (20; quick 5),
 * BENCH_ACCOUNTS (1000; quick 200). BENCH_EVENTS_RUNS (say `100x1x1000s,100x1x1000s`) runs
 * only the events scenarios named, to look at one of them; such a run is printed, not written.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { ensureNats, ensureRedis, REPO_ROOT } from '@cqfleet/devcluster';
import {
  connectRedis,
  createLogger,
  DEFAULT_NATS_URL,
  DEFAULT_REDIS_URL,
  type Redis,
} from '@cqfleet/runtime';
import { accountsBench } from './accounts.js';
import { actionsBench } from './actions.js';
import { eventsBench } from './events.js';
import { historyBench } from './history.js';
import { mediaBench } from './media.js';
import { upstreamBench } from './upstream.js';
import { type Report, table, type Target } from './stats.js';

const env = process.env;
const SUITES = ['events', 'actions', 'accounts', 'history', 'media', 'upstream'] as const;
type Suite = (typeof SUITES)[number];

function loopbackOnly(url: string): string {
  const host = new URL(url).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host))
    throw new Error(`benchmarks only target loopback addresses, not ${url}`);
  return url;
}

const size = (name: string, full: number, quick: number, isQuick: boolean) =>
  Number(env[name] ?? (isQuick ? quick : full));

interface Context {
  redis: Redis;
  redisUrl: string;
  natsUrl: string;
  quick: boolean;
}

function runSuite(suite: Suite, c: Context): Promise<Report> {
  switch (suite) {
    case 'events':
      return eventsBench({ natsUrl: c.natsUrl, redisUrl: c.redisUrl, quick: c.quick });
    case 'actions':
      return actionsBench({ natsUrl: c.natsUrl, redisUrl: c.redisUrl, quick: c.quick });
    case 'accounts':
      return accountsBench({
        natsUrl: c.natsUrl,
        redisUrl: c.redisUrl,
        accounts: size('BENCH_ACCOUNTS', 1_000, 200, c.quick),
        quick: c.quick,
      });
    case 'history':
      return historyBench({
        redis: c.redis,
        redisUrl: c.redisUrl,
        natsUrl: c.natsUrl,
        messages: size('BENCH_HISTORY_MESSAGES', 1_000_000, 50_000, c.quick),
        compareMessages: size('BENCH_HISTORY_COMPARE', 100_000, 10_000, c.quick),
        quick: c.quick,
      });
    case 'media':
      return mediaBench({
        natsUrl: c.natsUrl,
        redisUrl: c.redisUrl,
        megabytes: size('BENCH_MEDIA_MB', 200, 50, c.quick),
        runs: size('BENCH_MEDIA_RUNS', 3, 1, c.quick),
        connectionMBps: size('BENCH_MEDIA_CONN_MBPS', 40, 40, c.quick),
        ocrImages: size('BENCH_OCR_IMAGES', 20, 5, c.quick),
      });
    case 'upstream':
      return upstreamBench({ natsUrl: c.natsUrl, redisUrl: c.redisUrl, quick: c.quick });
  }
}

/** The Markdown tables of a report as `{head, rows}`, for the JSON file. */
function tablesOf(markdown: string): Array<{ head: string[]; rows: string[][] }> {
  const cells = (line: string) =>
    line
      .slice(1, -1)
      .split('|')
      .map(c => c.trim());
  const tables: Array<{ head: string[]; rows: string[][] }> = [];
  let current: { head: string[]; rows: string[][] } | undefined;
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) {
      current = undefined;
      continue;
    }
    if (!current) tables.push((current = { head: cells(line), rows: [] }));
    else if (!/^\|[\s|:-]+\|$/.test(line)) current.rows.push(cells(line));
  }
  return tables;
}

/** The targets as this run measured them, one table. */
function summarise(
  targets: Array<Target & { suite: Suite }>,
  suites: readonly Suite[],
  quick: boolean,
  seconds: number,
): string {
  return [
    '## Summary',
    '',
    `${quick ? 'Quick' : 'Full'} run of ${suites.join(', ')} in ${(seconds / 60).toFixed(1)} min, ${new Date().toISOString()}. Every figure is next to the baseline measured in the same run; the suites' sections have the details.`,
    '',
    table(
      ['suite', 'target', 'this run', 'met'],
      targets.map(t => [t.suite, t.target, t.figure, t.met ? 'yes' : '**no**']),
    ),
  ].join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const asked = args.filter(a => a !== '--quick');
  const unknown = asked.filter(s => !SUITES.includes(s as Suite));
  if (unknown.length > 0)
    throw new Error(`unknown suite(s) ${unknown.join(', ')}; known: ${SUITES.join(', ')}`);
  const suites = (asked.length > 0 ? asked : SUITES) as Suite[];
  const redisUrl = loopbackOnly(env.CQFLEET_REDIS_URL ?? DEFAULT_REDIS_URL);
  const natsUrl = loopbackOnly(env.CQFLEET_NATS_URL ?? DEFAULT_NATS_URL);
  const dataDir = `${REPO_ROOT}.data`;
  // Quick runs keep their own results, so they never replace a full run's.
  const results = `${REPO_ROOT}bench/results${quick ? '/quick' : ''}`;
  await mkdir(results, { recursive: true });
  const redisProc = await ensureRedis(redisUrl, `${dataDir}/redis`);
  const natsProc = await ensureNats(natsUrl, `${dataDir}/nats`);
  const redis = connectRedis(redisUrl, 'bench', createLogger('bench', 'warn'));
  const targets: Array<Target & { suite: Suite }> = [];
  const began = Date.now();
  try {
    for (const suite of suites) {
      console.error(`running ${suite}${quick ? ' (quick)' : ''} ...`);
      const started = Date.now();
      const { markdown: report, targets: checked } = await runSuite(suite, {
        redis,
        redisUrl,
        natsUrl,
        quick,
      });
      targets.push(...checked.map(t => ({ ...t, suite })));
      console.log(`${report}\n`);
      const meta = {
        suite,
        quick,
        date: new Date().toISOString(),
        seconds: (Date.now() - started) / 1000,
      };
      // Scenarios picked by hand are not the suite: they must not replace its figures.
      if (suite === 'events' && env.BENCH_EVENTS_RUNS) continue;
      await writeFile(`${results}/${suite}.md`, `${report}\n`);
      await writeFile(
        `${results}/${suite}.json`,
        `${JSON.stringify({ ...meta, targets: checked, tables: tablesOf(report) }, null, 2)}\n`,
      );
    }
    const summary = summarise(targets, suites, quick, (Date.now() - began) / 1000);
    console.log(summary);
    // A run of some suites only says nothing of the others: only a whole run is the summary.
    if (suites.length === SUITES.length) await writeFile(`${results}/summary.md`, `${summary}\n`);
  } finally {
    redis.disconnect();
    await natsProc.stop();
    await redisProc.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
