/**
 * Media workers as separate processes sharing the queue and the cache: identical downloads
 * asked for at once become one job; the job's progress is visible while it runs; the worker
 * running it is killed (SIGKILL) mid-transfer and another worker completes it, with no
 * partial file under a finished name.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Namespace } from '@cqfleet/contracts';
import { spawnService, type ServiceProcess } from '@cqfleet/devcluster';
import { MediaClient } from '@cqfleet/media-client';
import { connectRedis, createLogger, type Redis } from '@cqfleet/runtime';
import { testInfra, uniqueNamespace, waitFor } from '@cqfleet/testkit';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';

const log = createLogger('test', 'silent');
const DATA = randomBytes(24 * 1024 * 1024);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let server: Server;
let url: string;
let sent = 0;
let fullRequests = 0;
let ns: Namespace;
let cacheDir: string;
let client: MediaClient;
let queue: Queue;
let redis: Redis;
const workers: ServiceProcess[] = [];

beforeAll(async () => {
  // A slow server (about 10 MB/s per connection) so the transfer is surely in flight when
  // the worker dies.
  server = createServer((req, res) => {
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    const end = m && m[2] ? Math.min(Number(m[2]), DATA.length - 1) : DATA.length - 1;
    if (start === 0) fullRequests++;
    res.writeHead(m ? 206 : 200, {
      'content-length': end - start + 1,
      ...(m ? { 'content-range': `bytes ${start}-${end}/${DATA.length}` } : {}),
    });
    let at = start;
    const next = () => {
      if (res.destroyed) return;
      if (at > end) return res.end();
      const chunk = DATA.subarray(at, Math.min(end + 1, at + 128 * 1024));
      at += chunk.length;
      sent += chunk.length;
      res.write(chunk);
      setTimeout(next, 12);
    };
    next();
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/big.bin`;

  ns = new Namespace(uniqueNamespace('mwk'));
  cacheDir = await mkdtemp(join(tmpdir(), 'cqfleet-media-'));
  for (const label of ['media-a', 'media-b'])
    workers.push(
      await spawnService(
        'media',
        label,
        {
          CQFLEET_NAMESPACE: ns.name,
          CQFLEET_REDIS_URL: testInfra().redisUrl,
          CQFLEET_LOG_LEVEL: 'info',
          MEDIA_CACHE_DIR: cacheDir,
          MEDIA_ALLOW_HOSTS: '127.0.0.1',
          MEDIA_LOCK_MS: '1500',
        },
        {},
      ),
    );
  client = new MediaClient(testInfra().redisUrl, ns, log);
  await client.ready();
  redis = connectRedis(testInfra().redisUrl, 'test', log, { maxRetriesPerRequest: null });
  queue = new Queue(ns.mediaQueue, { connection: redis, prefix: ns.bullPrefix });
});

afterAll(async () => {
  for (const w of workers) await w.kill().catch(() => undefined);
  await client?.close();
  await queue?.close();
  redis?.disconnect();
  server?.close();
});

it('identical downloads run once; a worker killed mid-job leaves no corrupt file and another finishes it', async () => {
  const params = { url, headers: ['User-Agent=cqfleet-test'] };
  const first = client.action('download_file', 10001, params, 60_000);
  const second = client.action('download_file', 10002, { ...params, thread_count: 2 }, 60_000);

  // Progress is on the job while it runs, and says which worker runs it.
  const active = await waitFor(
    async () => {
      const [job] = await queue.getActive();
      const p = job?.progress as { received?: number; total?: number } | undefined;
      return job && (p?.received ?? 0) > 2 * 1024 * 1024 ? { job, p } : undefined;
    },
    20_000,
    'a running download with progress',
  );
  expect(active.p?.total).toBe(DATA.length);
  const victim = workers.find(w => active.job.processedBy?.endsWith(`:${w.child.pid}`));
  expect(victim, `processedBy ${active.job.processedBy}`).toBeDefined();
  expect(sent).toBeLessThan(DATA.length);
  await victim!.kill();

  const [a, b] = await Promise.all([first, second]);
  expect(a).toMatchObject({ status: 'ok', retcode: 0 });
  expect(b).toEqual(a);
  const file = (a.data as { file: string }).file;
  expect(sha(await readFile(file))).toBe(sha(DATA));
  // One job for both callers: started once, restarted once after the kill.
  expect(fullRequests).toBe(2);
  // Nothing left queued, running or failed; not kept either: it carried request headers.
  const counts = await queue.getJobCounts('completed', 'failed', 'active', 'wait');
  expect(counts).toMatchObject({ completed: 0, failed: 0, active: 0, wait: 0 });
  // What the killed worker was writing is a temporary file, never the finished name.
  const left = (await readdir(cacheDir)).filter(n => join(cacheDir, n) !== file);
  expect(left.every(n => n.endsWith('.part'))).toBe(true);
}, 60_000);
