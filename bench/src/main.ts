#!/usr/bin/env node
/**
 * `npm run bench [-- suite ...]`: runs the named suites (all when none is named) against
 * loopback Redis and NATS — the ones that answer at CQFLEET_REDIS_URL / CQFLEET_NATS_URL (or
 * the default ports), else started from the local binaries — prints Markdown, and keeps it in
 * .data/bench/<suite>.md. Sizes: BENCH_HISTORY_MESSAGES (1000000), BENCH_HISTORY_COMPARE (100000),
 * BENCH_MEDIA_MB (200), BENCH_MEDIA_RUNS (3), BENCH_MEDIA_CONN_MBPS (40), BENCH_OCR_IMAGES (20).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { ensureNats, ensureRedis, REPO_ROOT } from '@cqfleet/devcluster';
import { connectRedis, createLogger, DEFAULT_NATS_URL, DEFAULT_REDIS_URL } from '@cqfleet/runtime';
import { historyBench } from './history.js';
import { mediaBench } from './media.js';

const env = process.env;
const SUITES = ['history', 'media'] as const;
type Suite = (typeof SUITES)[number];

function loopbackOnly(url: string): string {
  const host = new URL(url).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host))
    throw new Error(`benchmarks only target loopback addresses, not ${url}`);
  return url;
}

async function main(): Promise<void> {
  const asked = process.argv.slice(2);
  const unknown = asked.filter(s => !SUITES.includes(s as Suite));
  if (unknown.length > 0)
    throw new Error(`unknown suite(s) ${unknown.join(', ')}; known: ${SUITES.join(', ')}`);
  const suites = (asked.length > 0 ? asked : SUITES) as Suite[];
  const redisUrl = loopbackOnly(env.CQFLEET_REDIS_URL ?? DEFAULT_REDIS_URL);
  const natsUrl = loopbackOnly(env.CQFLEET_NATS_URL ?? DEFAULT_NATS_URL);
  const dataDir = `${REPO_ROOT}.data`;
  await mkdir(`${dataDir}/bench`, { recursive: true });
  const redisProc = await ensureRedis(redisUrl, `${dataDir}/redis`);
  const natsProc = await ensureNats(natsUrl, `${dataDir}/nats`);
  const redis = connectRedis(redisUrl, 'bench', createLogger('bench', 'warn'));
  try {
    for (const suite of suites) {
      console.error(`running ${suite} ...`);
      const report =
        suite === 'history'
          ? await historyBench({
              redis,
              redisUrl,
              natsUrl,
              messages: Number(env.BENCH_HISTORY_MESSAGES ?? 1_000_000),
              compareMessages: Number(env.BENCH_HISTORY_COMPARE ?? 100_000),
            })
          : await mediaBench({
              redisUrl,
              megabytes: Number(env.BENCH_MEDIA_MB ?? 200),
              runs: Number(env.BENCH_MEDIA_RUNS ?? 3),
              connectionMBps: Number(env.BENCH_MEDIA_CONN_MBPS ?? 40),
              ocrImages: Number(env.BENCH_OCR_IMAGES ?? 20),
            });
      console.log(`${report}\n`);
      await writeFile(`${dataDir}/bench/${suite}.md`, `${report}\n`);
    }
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
