/**
 * A media worker process on a fresh machine, and what base64 media leaves in Redis:
 *
 * - started with a cache directory that does not exist yet, it creates it and serves the
 *   first base64 image sent;
 * - the bytes of a base64 image (sent, or read by OCR) never sit in the BullMQ job: the media
 *   client stores them under a payload key with a TTL, the worker deletes the key when the job
 *   is done, and finished jobs are kept briefly (a minute) and in bounded numbers (200);
 * - an image over the seed's 30 MB is refused by the client before anything is stored; a job
 *   whose payload is gone fails with LOAD_FILE_ERROR and is counted.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Namespace, type MediaJobData, type MediaJobResult } from '@cqfleet/contracts';
import { spawnService, type ServiceProcess } from '@cqfleet/devcluster';
import { MediaClient } from '@cqfleet/media-client';
import { connectRedis, createLogger, type Redis } from '@cqfleet/runtime';
import {
  metricValue,
  ocrFixture,
  scrapeMetrics,
  testInfra,
  uniqueNamespace,
} from '@cqfleet/testkit';
import { Queue, QueueEvents } from 'bullmq';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const log = createLogger('test', 'silent');
let ns: Namespace;
let cacheDir: string;
let media: ServiceProcess;
let client: MediaClient;
let redis: Redis;
let queue: Queue<MediaJobData, MediaJobResult>;
let events: QueueEvents;

beforeAll(async () => {
  ns = new Namespace(uniqueNamespace('mpl'));
  // Two levels that do not exist yet, as on a machine that never ran cqfleet.
  cacheDir = join(await mkdtemp(join(tmpdir(), 'cqfleet-fresh-')), 'data', 'cache');
  media = await spawnService(
    'media',
    'media',
    {
      CQFLEET_NAMESPACE: ns.name,
      CQFLEET_REDIS_URL: testInfra().redisUrl,
      MEDIA_CACHE_DIR: cacheDir,
      MEDIA_ADMIN_PORT: '0',
    },
    {},
  );
  client = new MediaClient(testInfra().redisUrl, ns, log);
  await client.ready();
  redis = connectRedis(testInfra().redisUrl, 'test', log, { maxRetriesPerRequest: null });
  queue = new Queue(ns.mediaQueue, { connection: redis, prefix: ns.bullPrefix });
  events = new QueueEvents(ns.mediaQueue, { connection: redis.duplicate(), prefix: ns.bullPrefix });
  await events.waitUntilReady();
});

afterAll(async () => {
  await media?.stop();
  await client?.close();
  await events?.close();
  await queue?.close();
  redis?.disconnect();
});

const payloadKeys = () => redis.keys(`${ns.key('media', 'payload')}:*`);

/** Every job the queue keeps, whatever its state, as JSON. */
async function keptJobs(): Promise<string[]> {
  const jobs = await queue.getJobs(['completed', 'failed', 'wait', 'active', 'delayed']);
  return jobs.map(j => JSON.stringify({ data: j.data, opts: j.opts }));
}

describe('a fresh cache directory', () => {
  it('is created at start-up, and the first base64 image is served', async () => {
    expect((await stat(cacheDir)).isDirectory()).toBe(true);
    const png = await sharp({ create: { width: 3, height: 2, channels: 3, background: '#123' } })
      .png()
      .toBuffer();
    const prepared = await client.job(
      'media.prepare',
      { kind: 'image', file: `base64://${png.toString('base64')}` },
      20_000,
    );
    const md5 = createHash('md5').update(png).digest('hex');
    expect(prepared).toMatchObject({ name: `${md5}.image`, size: png.length, width: 3 });
    expect((await stat(join(cacheDir, `${md5}.image`))).size).toBe(png.length);
  });
});

describe('base64 payloads', () => {
  it('never sit in the job, and are deleted when the job is done', async () => {
    // Whatever the start-up test found: this one is about Redis.
    await mkdir(cacheDir, { recursive: true });
    // Random pixels: a payload no earlier job can have had.
    const png = await sharp(
      Buffer.from(Array.from({ length: 64 * 48 * 3 }, () => Math.random() * 256)),
      {
        raw: { width: 64, height: 48, channels: 3 },
      },
    )
      .png()
      .toBuffer();
    const text = png.toString('base64');
    await client.job('media.prepare', { kind: 'image', file: `base64://${text}` }, 20_000);
    const ocr = ocrFixture('en');
    const read = await client.job('media.ocr', { base64: ocr.png.toString('base64') }, 60_000);
    expect(read.texts.map(t => t.text).join(' ')).toContain('Hello');

    const kept = await keptJobs();
    expect(kept.length).toBeGreaterThanOrEqual(2);
    for (const job of kept) {
      expect(job).not.toContain(text.slice(0, 200));
      expect(job).not.toContain(ocr.png.toString('base64').slice(0, 200));
      expect(job.length).toBeLessThan(2_000);
    }
    const completed = await queue.getCompleted();
    expect(completed[0]?.opts).toMatchObject({
      removeOnComplete: { age: 60, count: 200 },
      removeOnFail: { age: 24 * 3600, count: 200 },
    });
    expect(await payloadKeys()).toEqual([]);
  }, 90_000);

  it('an image over 30 MB is refused before anything is stored or queued', async () => {
    const before = (await keptJobs()).length;
    const huge = Buffer.alloc(30 * 1024 * 1024 + 1, 1).toString('base64');
    await expect(
      client.job('media.prepare', { kind: 'image', file: `base64://${huge}` }, 20_000),
    ).rejects.toMatchObject({ msg: 'MEDIA_TOO_LARGE' });
    await expect(client.job('media.ocr', { base64: huge }, 20_000)).rejects.toMatchObject({
      msg: 'MEDIA_TOO_LARGE',
    });
    expect((await keptJobs()).length).toBe(before);
    expect(await payloadKeys()).toEqual([]);
  });

  it('a job whose payload is gone fails with LOAD_FILE_ERROR, counted as a refusal', async () => {
    const job = await queue.add('media.prepare', {
      selfId: 1,
      params: { kind: 'image', file: 'base64://', payload: randomUUID() },
    });
    expect(await job.waitUntilFinished(events, 20_000)).toMatchObject({
      ok: false,
      msg: 'LOAD_FILE_ERROR',
    });
    const metrics = await scrapeMetrics(media);
    expect(metricValue(metrics, 'cqfleet_media_refused_total', { reason: 'payload_missing' })).toBe(
      1,
    );
  });
});
