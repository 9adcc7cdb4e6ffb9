/** MediaClient against a real BullMQ worker on the run's Redis. */
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Namespace, type MediaJobData, type MediaJobResult } from '@cqfleet/contracts';
import { OneBotError } from '@cqfleet/onebot';
import { connectRedis, createLogger } from '@cqfleet/runtime';
import { testInfra, uniqueNamespace } from '@cqfleet/testkit';
import { Queue, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MediaClient } from '@cqfleet/media-client';

const log = createLogger('test', 'silent');
let ns: Namespace;
let worker: Worker<MediaJobData, MediaJobResult>;
let client: MediaClient;

beforeAll(async () => {
  ns = new Namespace(uniqueNamespace('mc'));
  const connection = connectRedis(testInfra().redisUrl, 'worker', log, {
    maxRetriesPerRequest: null,
  });
  worker = new Worker<MediaJobData, MediaJobResult>(
    ns.mediaQueue,
    async job => {
      if (job.name === 'media.fetch')
        return {
          ok: true,
          data: { file: `/cache/${(job.data.params as { name: string }).name}`, size: 3 },
        };
      if (job.name === 'download_file')
        return { ok: false, retcode: 100, msg: 'FORBIDDEN_ADDRESS', wording: 'no' };
      if (job.name === 'media.ocr') await new Promise(r => setTimeout(r, 2_000));
      return { ok: true, data: job.data.selfId };
    },
    { connection, prefix: ns.bullPrefix },
  );
  client = new MediaClient(testInfra().redisUrl, ns, log);
  await client.ready();
});

afterAll(async () => {
  await client?.close();
  await worker?.close();
});

describe('media client', () => {
  it('an internal job resolves with its data', async () => {
    expect(await client.job('media.fetch', { url: 'http://x', name: 'a.image' }, 5_000)).toEqual({
      file: '/cache/a.image',
      size: 3,
    });
  });

  it('an action answers an envelope; a failed job keeps its tag', async () => {
    expect(await client.action('clean_cache', 10001, {}, 5_000)).toEqual({
      data: 10001,
      message: '',
      retcode: 0,
      status: 'ok',
    });
    expect(await client.action('download_file', 10001, {}, 5_000)).toMatchObject({
      status: 'failed',
      msg: 'FORBIDDEN_ADDRESS',
      wording: 'no',
    });
  });

  it('waiting too long is TIMEOUT', async () => {
    await expect(client.job('media.ocr', {}, 200)).rejects.toMatchObject({
      msg: 'TIMEOUT',
    } satisfies Partial<OneBotError>);
  });

  it('a job that carried request headers (a tenant’s cookie) is not kept once it is done', async () => {
    const secret = 'session=tenant-a-cookie';
    await client.action(
      'download_file',
      10001,
      { url: 'http://x/', headers: [`Cookie: ${secret}`] },
      5_000,
    );
    await client.action('clean_cache', 10001, {}, 5_000);
    const redis = connectRedis(testInfra().redisUrl, 'probe', log);
    try {
      let found = 0;
      for (const key of await redis.keys(`${ns.bullPrefix}:*`))
        if (
          (await redis.type(key)) === 'hash' &&
          JSON.stringify(await redis.hgetall(key)).includes(secret)
        )
          found++;
      expect(found).toBe(0);
      // Jobs without headers are kept as before (what was done, for a while).
      expect((await redis.keys(`${ns.bullPrefix}:${ns.mediaQueue}:*`)).length).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
  });
});

describe('callers that give up', () => {
  // A namespace no worker serves: its jobs wait until removed.
  let idleNs: Namespace;
  let idle: MediaClient;
  const redis = () => connectRedis(testInfra().redisUrl, 'probe', log);
  beforeAll(async () => {
    idleNs = new Namespace(uniqueNamespace('mc-idle'));
    idle = new MediaClient(testInfra().redisUrl, idleNs, log);
    await idle.ready();
  });
  afterAll(async () => {
    await idle?.close();
  });

  it('a job whose caller timed out before a worker took it is removed, with its payload', async () => {
    await expect(idle.job('media.ocr', { base64: 'aGVsbG8=' }, 300)).rejects.toMatchObject({
      msg: 'TIMEOUT',
    });
    expect(await idle.counts()).toMatchObject({ waiting: 0 });
    const probe = redis();
    try {
      expect(await probe.keys(idleNs.key('media', 'payload', '*'))).toEqual([]);
    } finally {
      probe.disconnect();
    }
  });

  it('a caller whose signal fires stops waiting at once; its job not yet taken is removed', async () => {
    const deadline = new AbortController();
    const started = Date.now();
    const waiting = idle.job('media.ocr', { base64: 'aGVsbG8=' }, 30_000, 10001, deadline.signal);
    waiting.catch(() => undefined);
    await new Promise(r => setTimeout(r, 200));
    expect(await idle.counts()).toMatchObject({ waiting: 1 });
    deadline.abort(new OneBotError('TIMEOUT', 'the action’s deadline'));
    await expect(waiting).rejects.toMatchObject({
      msg: 'TIMEOUT',
      wording: 'the action’s deadline',
    });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await idle.counts()).toMatchObject({ waiting: 0 });
  });

  it('an account has at most jobsPerAccount jobs in the queue; another account’s goes in at once', async () => {
    const capped = new MediaClient(testInfra().redisUrl, idleNs, log, { jobsPerAccount: 2 });
    const fetch = (url: string, selfId: number) =>
      capped
        .job('media.fetch', { url, name: `${'a'.repeat(32)}.image` }, 600, selfId)
        .catch((err: unknown) => err);
    try {
      await capped.ready();
      const mine = Array.from({ length: 5 }, (_, i) => fetch(`http://x/mine/${i}`, 10001));
      const theirs = fetch('http://x/theirs', 10002);
      await new Promise(r => setTimeout(r, 200));
      expect(await capped.counts()).toMatchObject({ waiting: 3 });
      for (const outcome of await Promise.all([...mine, theirs]))
        expect(outcome).toMatchObject({ msg: 'TIMEOUT' });
      expect(await capped.counts()).toMatchObject({ waiting: 0 });
    } finally {
      await capped.close();
    }
  });

  it('a job shared by identical callers stays until the last of them gives up', async () => {
    const args = { url: 'http://x/shared', name: `${'e'.repeat(32)}.image` };
    const first = idle.job('media.fetch', args, 300, 10001);
    await new Promise(r => setTimeout(r, 50));
    const second = idle.job('media.fetch', args, 1_500, 10001);
    await expect(first).rejects.toMatchObject({ msg: 'TIMEOUT' });
    expect(await idle.counts()).toMatchObject({ waiting: 1 });
    await expect(second).rejects.toMatchObject({ msg: 'TIMEOUT' });
    expect(await idle.counts()).toMatchObject({ waiting: 0 });
  });

  it('a job already running is left to finish', async () => {
    const conn = redis();
    const probe = new Queue(ns.mediaQueue, { connection: conn, prefix: ns.bullPrefix });
    try {
      // The one worker runs one job at a time: wait for the earlier OCR job to end.
      await vi.waitFor(async () => expect(await client.counts()).toMatchObject({ active: 0 }), {
        timeout: 5_000,
      });
      const before = (await probe.getJobCounts('completed')).completed ?? 0;
      await expect(client.job('media.ocr', {}, 500)).rejects.toMatchObject({ msg: 'TIMEOUT' });
      expect(await client.counts()).toMatchObject({ active: 1 });
      await vi.waitFor(
        async () => expect((await probe.getJobCounts('completed')).completed).toBe(before + 1),
        { timeout: 5_000, interval: 100 },
      );
    } finally {
      await probe.close();
      conn.disconnect();
    }
  });

  it('a job’s data past its bound is refused before it is queued; base64 bytes do not count', async () => {
    // download_file's URL is held by the action table (URL_MAX_CHARS).
    expect(
      await idle.action(
        'download_file',
        10001,
        { url: `http://x/${'a'.repeat(5 * 1024 * 1024)}` },
        1_000,
      ),
    ).toMatchObject({ status: 'failed', msg: 'INVALID_PARAMS' });
    // Any job, whoever adds it: nothing over 256 KiB of data goes into Redis.
    await expect(
      idle.job(
        'media.fetch',
        { url: `http://x/${'a'.repeat(300 * 1024)}`, name: `${'f'.repeat(32)}.image` },
        1_000,
        10001,
      ),
    ).rejects.toMatchObject({ msg: 'REQUEST_TOO_LARGE' });
    expect(await idle.counts()).toMatchObject({ waiting: 0 });
    // A base64 image of a message segment travels beside its job: queued (and, no worker
    // serving this namespace, TIMEOUT).
    const image = Buffer.alloc(2 * 1024 * 1024, 7).toString('base64');
    await expect(
      idle.job('media.prepare', { kind: 'image', file: `base64://${image}` }, 300, 10001),
    ).rejects.toMatchObject({ msg: 'TIMEOUT' });
  });

  it('download_file headers past the bounds are INVALID_PARAMS, and no job is added', async () => {
    const headers = Array.from({ length: 33 }, (_, i) => `X-H${i}=v`);
    expect(
      await idle.action('download_file', 10001, { url: 'http://x/', headers }, 1_000),
    ).toMatchObject({ status: 'failed', msg: 'INVALID_PARAMS' });
    expect(
      await idle.action(
        'download_file',
        10001,
        { url: 'http://x/', headers: `Cookie=${'a'.repeat(9_000)}` },
        1_000,
      ),
    ).toMatchObject({ status: 'failed', msg: 'INVALID_PARAMS' });
    expect(await idle.counts()).toMatchObject({ waiting: 0 });
  });
});

describe('an account’s share of the workers', () => {
  // A loopback server that trickles a byte every 100 ms for 3 s (`/slow`), as a server that
  // keeps a download alive past its caller's wait; `/fast` answers at once.
  let server: Server;
  let base: string;
  let slowNs: Namespace;
  let slowWorker: Worker<MediaJobData, MediaJobResult>;
  const running = new Map<number, number>();
  const peak = new Map<number, number>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (!req.url?.startsWith('/slow')) return res.end('ok');
      let left = 30;
      const drip = () => {
        if (res.destroyed) return;
        if (left-- === 0) return res.end();
        res.write('.');
        setTimeout(drip, 100);
      };
      drip();
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    slowNs = new Namespace(uniqueNamespace('mc-share'));
    const connection = connectRedis(testInfra().redisUrl, 'worker', log, {
      maxRetriesPerRequest: null,
    });
    // Three jobs at once, the cluster's every worker slot in miniature.
    slowWorker = new Worker<MediaJobData, MediaJobResult>(
      slowNs.mediaQueue,
      async job => {
        const self = job.data.selfId;
        running.set(self, (running.get(self) ?? 0) + 1);
        peak.set(self, Math.max(peak.get(self) ?? 0, running.get(self) ?? 0));
        try {
          await new Promise<void>((resolve, reject) => {
            get((job.data.params as { url: string }).url, res => {
              res.resume();
              res.on('end', resolve);
              res.on('error', reject);
            }).on('error', reject);
          });
          return { ok: true, data: { file: '/cache/x' } };
        } finally {
          running.set(self, (running.get(self) ?? 1) - 1);
        }
      },
      { connection, prefix: slowNs.bullPrefix, concurrency: 3 },
    );
  });
  afterAll(async () => {
    await slowWorker?.close();
    server?.closeAllConnections();
    server?.close();
  });

  it('callers that time out leave no more than jobsPerAccount jobs running; another account’s job runs', async () => {
    const capped = new MediaClient(testInfra().redisUrl, slowNs, log, { jobsPerAccount: 1 });
    try {
      await capped.ready();
      // Each call gives up long before its download ends; distinct URLs, never one shared job.
      for (let i = 0; i < 4; i++)
        expect(
          await capped.action('download_file', 10001, { url: `${base}/slow?i=${i}` }, 300),
        ).toMatchObject({ status: 'failed', msg: 'TIMEOUT' });
      expect(peak.get(10001)).toBe(1);
      // The workers are not all held by 10001's downloads: another account's job runs.
      expect(
        await capped.action('download_file', 10002, { url: `${base}/fast?who=10002` }, 1_500),
      ).toMatchObject({ status: 'ok' });
      // Once its download really ended, 10001's slot is free again.
      await vi.waitFor(() => expect(running.get(10001)).toBe(0), { timeout: 5_000 });
      expect(
        await capped.action('download_file', 10001, { url: `${base}/fast?who=10001` }, 1_500),
      ).toMatchObject({ status: 'ok' });
    } finally {
      await capped.close();
    }
  }, 15_000);

  it('a slot held for a job that does not settle is freed after jobLifetimeMs', async () => {
    const capped = new MediaClient(testInfra().redisUrl, slowNs, log, {
      jobsPerAccount: 1,
      jobLifetimeMs: 400,
    });
    try {
      await capped.ready();
      expect(
        await capped.action('download_file', 10003, { url: `${base}/slow?lost` }, 200),
      ).toMatchObject({ msg: 'TIMEOUT' });
      // Still running (3 s), but the slot comes back 400 ms after the caller gave up.
      expect(
        await capped.action('download_file', 10003, { url: `${base}/fast?who=10003` }, 1_500),
      ).toMatchObject({ status: 'ok' });
      expect(running.get(10003)).toBe(1);
    } finally {
      await capped.close();
    }
  }, 10_000);
});
