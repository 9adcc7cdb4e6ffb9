/** Composes the media service: one BullMQ worker on the `media` queue. */
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { Namespace, type MediaJobData, type MediaJobResult } from '@cqfleet/contracts';
import { PayloadStore } from '@cqfleet/media-client';
import {
  connectRedis,
  counter,
  gauge,
  histogram,
  type Logger,
  redisReady,
  secondsSince,
} from '@cqfleet/runtime';
import { type Job, Queue, Worker } from 'bullmq';
import { AddressGuard } from './address-guard.js';
import { CacheJanitor } from './cache.js';
import type { Config } from './config.js';
import { runMediaJob } from './jobs.js';
import { stopOcr } from './ocr.js';

const jobs = counter(
  'cqfleet_media_jobs_total',
  'Media jobs run by this worker, by job and result (ok, the failure tag, or error when retried)',
  ['job', 'result'],
);
const jobSeconds = histogram('cqfleet_media_job_seconds', 'Time to run a media job', ['job']);

/** The payload id a job's parameters name (set by the media client for base64 data). */
function payloadOf(params: unknown): string | undefined {
  const id = (params as { payload?: unknown } | null)?.payload;
  return typeof id === 'string' ? id : undefined;
}

export interface RunningMedia {
  worker: Worker<MediaJobData, MediaJobResult>;
  stop(): Promise<void>;
}

export async function startMedia(config: Config, log: Logger): Promise<RunningMedia> {
  const ns = new Namespace(config.namespace);
  // A fresh machine (`npm start`, a new volume) has no cache yet, and media written from
  // memory (base64) goes straight into it.
  await mkdir(config.cacheDir, { recursive: true });
  // BullMQ workers block on Redis; they need a connection that retries forever.
  const connection = connectRedis(config.redis, 'media', log, { maxRetriesPerRequest: null });
  await redisReady(connection);
  // Payloads (up to MediaClient's maxPayloadBytes) are read on a connection of their own, so a
  // large one never queues behind, or holds up, the worker's lock renewals.
  const payloadConn = connectRedis(config.redis, 'media payloads', log);
  const payloads = new PayloadStore(payloadConn, ns);
  // Best effort: a payload's TTL removes what is not deleted here.
  const dropPayload = (id: string) =>
    payloads
      .delete(id)
      .catch((err: unknown) =>
        log.warn({ err: (err as Error).message, id }, 'media payload not deleted'),
      );
  const guard = new AddressGuard(config.allowHosts);
  const limits = {
    cacheDir: config.cacheDir,
    maxBytes: config.maxBytes,
    idleTimeoutMs: config.idleTimeoutMs,
    deadlineMs: config.downloadDeadlineMs,
    maxRedirects: config.maxRedirects,
  };
  const janitor = new CacheJanitor(
    {
      dir: config.cacheDir,
      maxBytes: config.cacheMaxBytes,
      maxFiles: config.cacheMaxFiles,
      keepFreshMs: 60_000,
      // A live transfer writes at least once per idle timeout.
      partStaleMs: 2 * config.idleTimeoutMs + 60_000,
    },
    config.cacheSweepMs,
    log,
  );
  janitor.start();
  const worker = new Worker<MediaJobData, MediaJobResult>(
    ns.mediaQueue,
    async (job: Job<MediaJobData, MediaJobResult>) => {
      const started = Date.now();
      const timer = performance.now();
      let logged = started;
      const payload = payloadOf(job.data.params);
      const result = await runMediaJob(job.name, job.data, {
        guard,
        limits,
        payloads,
        roots: config.fileRoots,
        videoMaxBytes: config.videoMaxBytes,
        ffmpeg: config.ffmpeg,
        ocrData: config.ocrData,
        // Long transfers show their progress on the job and, every 5 s, in the log.
        progress: p => {
          job.updateProgress({ ...p }).catch(() => undefined);
          if (Date.now() - logged < 5_000) return;
          logged = Date.now();
          log.info({ job: job.id, action: job.name, ...p }, 'media job progress');
        },
      }).catch(async (err: unknown) => {
        // A retry needs the payload; the last attempt does not.
        if (payload && job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) await dropPayload(payload);
        throw err;
      });
      // The job is done (either way): its payload has served.
      if (payload) await dropPayload(payload);
      log.info(
        { job: job.id, action: job.name, ok: result.ok, ms: Date.now() - started },
        'media job done',
      );
      jobs.inc({ job: job.name, result: result.ok ? 'ok' : result.msg });
      jobSeconds.observe({ job: job.name }, secondsSince(timer));
      janitor.afterWrite();
      return result;
    },
    {
      connection,
      prefix: ns.bullPrefix,
      concurrency: config.concurrency,
      // Recorded on each job it runs (`processedBy`), so operators see where a job ran.
      name: `${hostname()}:${process.pid}`,
      lockDuration: config.lockMs,
      stalledInterval: config.lockMs,
    },
  );
  worker.on('error', err => log.error({ err }, 'media worker error'));
  worker.on('failed', (job, err) => {
    jobs.inc({ job: job?.name ?? 'unknown', result: 'error' });
    log.warn({ job: job?.id, err: err.message }, 'media job failed');
  });
  // The queue's depth, read from Redis when scraped (what queue-depth autoscaling looks at).
  const queue = new Queue(ns.mediaQueue, { connection, prefix: ns.bullPrefix });
  gauge(
    'cqfleet_media_queue_jobs',
    'Jobs in the media queue, by state',
    ['state'],
    async function () {
      const counts = await queue.getJobCounts('wait', 'active', 'delayed', 'failed');
      for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
    },
  );
  await worker.waitUntilReady();
  return {
    worker,
    stop: async () => {
      await worker.close();
      await queue.close();
      await janitor.stop();
      await stopOcr();
      payloadConn.disconnect();
      connection.disconnect();
    },
  };
}
