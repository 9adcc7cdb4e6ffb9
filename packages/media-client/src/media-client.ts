/** Adds media jobs to the BullMQ `media` queue and waits for them. */
import { createHash, randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { MediaJobData, MediaJobResult, Namespace } from '@cqfleet/contracts';
import {
  type ActionResponse,
  failed,
  failedTag,
  isActionName,
  ok,
  OneBotError,
  parseParams,
  URL_MAX_CHARS,
} from '@cqfleet/onebot';
import { connectRedis, type Logger, type Redis, type RedisTarget } from '@cqfleet/runtime';
import { Queue, QueueEvents } from 'bullmq';
import { abortReason, AccountSlots } from './account-slots.js';
import type { InternalJobs } from './jobs.js';
import { DEFAULT_MAX_PAYLOAD_BYTES, offload, PAYLOAD_GRACE_MS, PayloadStore } from './payloads.js';

/**
 * Finished jobs are kept briefly and in bounded numbers, never as a growing store of what
 * tenants asked for. Callers wait on events, not on the kept job: a completed job is kept only
 * for a caller that starts listening after it finished (Job.waitUntilFinished then reads the
 * kept result; without it, that caller would fail), which is milliseconds after the job was
 * added — a minute and the latest 200 are ample. Removing the job as soon as one caller has
 * its result would fail the identical callers sharing it that are not listening yet. Failed
 * jobs stay a day for operators, the latest 200. With JOB_DATA_MAX_BYTES that is at most
 * 400 × 256 KiB of job data in Redis (real jobs: a few hundred bytes each).
 */
const JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential' as const, delay: 500 },
  removeOnComplete: { age: 60, count: 200 },
  removeOnFail: { age: 24 * 3600, count: 200 },
};

/**
 * The largest job data (UTF-8 JSON, once base64 bytes are taken out, payloads.ts) added to
 * the queue; larger is REQUEST_TOO_LARGE before anything is stored. 256 KiB: a URL at the
 * action table's bound (URL_MAX_CHARS, 64 Ki units, up to 192 KiB in UTF-8), 8 KiB of headers
 * and the rest of a job. A message segment's `base64://` file never counts (it travels beside
 * the job, bounded by the media limits); its URL or path is held here, the message limits
 * (message-limits.ts) leaving media sources to the media side.
 */
export const JOB_DATA_MAX_BYTES = 4 * URL_MAX_CHARS;

/** A job's data, or REQUEST_TOO_LARGE past JOB_DATA_MAX_BYTES. */
function boundedData(name: string, data: MediaJobData): MediaJobData {
  const text = JSON.stringify(data);
  // UTF-8 takes at least a byte per UTF-16 unit: a longer text need not be encoded to know.
  if (text.length > JOB_DATA_MAX_BYTES || Buffer.byteLength(text) > JOB_DATA_MAX_BYTES)
    throw new OneBotError(
      'REQUEST_TOO_LARGE',
      `媒体任务 ${name} 的参数不能超过 ${JOB_DATA_MAX_BYTES} 字节`,
    );
  return data;
}

/** Jobs of one account in the queue from one process at once (account-slots.ts). */
export const DEFAULT_JOBS_PER_ACCOUNT = 8;

/**
 * How long a job may still run after its caller stopped waiting: the media service's download
 * deadline (MEDIA_DOWNLOAD_DEADLINE_MS, 120 s by default) and half a minute for the rest of the
 * job (the upload after a download, a lock handed over, a late event). @default 150000 ms
 */
export const DEFAULT_JOB_LIFETIME_MS = 150_000;

export interface MediaClientOptions {
  /**
   * Largest `base64://` payload (decoded) stored for a job that is not an image (images are
   * held to the seed's 30 MB); larger ones are refused with MEDIA_TOO_LARGE before anything is
   * stored. @default 100 MiB
   */
  maxPayloadBytes?: number;
  /**
   * Jobs of one account in the shared queue from this process at once; its further jobs wait
   * in this process, within their timeout (account-slots.ts). @default 8
   */
  jobsPerAccount?: number;
  /**
   * Longest an account's slot stays held for a job whose caller stopped waiting (TIMEOUT):
   * the slot is given back when the job settles (completed, failed, removed), at the latest
   * this long after the caller gave up, so a lost event cannot keep it for ever. The media
   * service holds its download deadline (MEDIA_DOWNLOAD_DEADLINE_MS) half a minute under the
   * default. @default 150000 ms
   */
  jobLifetimeMs?: number;
}

/**
 * Jobs whose result depends only on their parameters (and, for received media, the account),
 * and what matters of them.
 */
const IDEMPOTENT: Record<string, (p: Record<string, unknown>, selfId: number) => unknown> = {
  // thread_count changes how, not what.
  download_file: p => [p.url, p.headers ?? null],
  // Received media is kept per account (the media service's cache-key.ts): one account's job
  // answers a path of that account's, never another's.
  'media.fetch': (p, selfId) => [selfId, p],
  'media.record': (p, selfId) => [selfId, p],
  // An inline result's bytes are taken by the one caller that asked for them.
  'media.prepare': p => (p.inline === true ? undefined : p),
};

function carriesHeaders(params: unknown): boolean {
  const headers = (params as { headers?: unknown } | null)?.headers;
  return (
    headers !== undefined &&
    headers !== null &&
    !(typeof headers === 'string' && headers === '') &&
    !(Array.isArray(headers) && headers.length === 0)
  );
}

/** The deduplication id of a job, for jobs that may be shared. */
export function dedupeId(name: string, params: unknown, selfId = 0): string | undefined {
  const key = IDEMPOTENT[name];
  if (!key || typeof params !== 'object' || params === null) return undefined;
  const what = key(params as Record<string, unknown>, selfId);
  if (what === undefined) return undefined;
  const digest = createHash('sha1').update(JSON.stringify(what)).digest('hex');
  return `${name}:${digest}`;
}

/**
 * Counts the callers waiting for a job (identical callers share one, `deduplication`), so that
 * the last one to give up removes it. KEYS[1] the count, ARGV[1] how long the latest caller
 * waits, in ms: the count lives at least that long.
 */
const JOIN_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return n`;

/** States of a job no worker has started (or one waiting to be retried): removable. */
const NOT_STARTED = new Set(['waiting', 'prioritized', 'paused', 'delayed', 'waiting-children']);

export class MediaClient {
  private readonly queue: Queue<MediaJobData, MediaJobResult>;
  private readonly redis: Redis;
  private readonly events: QueueEvents;
  private readonly connections: Redis[];
  private readonly payloads: PayloadStore;
  private readonly maxPayloadBytes: number;
  private readonly slots: AccountSlots;
  private readonly jobLifetimeMs: number;
  /** Slots held for jobs their callers gave up on, each with what gives it back now. */
  private readonly held = new Set<() => void>();

  constructor(
    redis: RedisTarget | string,
    private readonly ns: Namespace,
    private readonly log: Logger,
    options: MediaClientOptions = {},
  ) {
    this.maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
    this.slots = new AccountSlots(options.jobsPerAccount ?? DEFAULT_JOBS_PER_ACCOUNT);
    this.jobLifetimeMs = options.jobLifetimeMs ?? DEFAULT_JOB_LIFETIME_MS;
    // BullMQ blocks on its connections; they must retry forever (maxRetriesPerRequest null).
    const queueConn = connectRedis(redis, 'media-client queue', log, {
      maxRetriesPerRequest: null,
    });
    const eventsConn = connectRedis(redis, 'media-client events', log, {
      maxRetriesPerRequest: null,
    });
    this.connections = [queueConn, eventsConn];
    this.redis = queueConn;
    this.payloads = new PayloadStore(queueConn, ns);
    this.queue = new Queue(ns.mediaQueue, { connection: queueConn, prefix: ns.bullPrefix });
    this.events = new QueueEvents(ns.mediaQueue, { connection: eventsConn, prefix: ns.bullPrefix });
    this.queue.on('error', err => log.warn({ err: err.message }, 'media queue error'));
    this.events.on('error', err => log.warn({ err: err.message }, 'media queue events error'));
  }

  async ready(): Promise<void> {
    await this.events.waitUntilReady();
  }

  /**
   * A job within its account's share (account-slots.ts). The slot is the account's share of
   * the workers, not of the waiting: a caller that gives up (TIMEOUT) leaves its job running —
   * a download may go on for the whole download deadline — so the slot is given back only when
   * the job has settled (`holdUntilSettled`). Otherwise an account could start a slow download,
   * give up, start another, … until its jobs held every worker of the cluster.
   *
   * `signal` is the caller's deadline: once it fires the caller stops waiting — for a slot or
   * for the job — as at its timeout, and is rejected with its reason.
   */
  private async run(
    name: string,
    data: MediaJobData,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<MediaJobResult> {
    const asked = Date.now();
    const release = data.selfId
      ? await this.slots.acquire(data.selfId, timeoutMs, signal)
      : undefined;
    const left = { job: undefined as string | undefined };
    try {
      if (signal?.aborted) throw abortReason(signal);
      const rest = timeoutMs - (Date.now() - asked);
      if (rest <= 0) throw new OneBotError('TIMEOUT', `媒体任务未在 ${timeoutMs} ms 内完成`);
      return await this.queued(name, data, rest, left, signal);
    } finally {
      if (release && left.job) this.holdUntilSettled(left.job, release);
      else release?.();
    }
  }

  /**
   * Gives `release` back when job `id` completes, fails for good or is removed — or is gone
   * already — and at the latest `jobLifetimeMs` from now (or when the client closes).
   */
  private holdUntilSettled(id: string, release: () => void): void {
    // QueueEvents also emits `<event>:<job id>` (what Job.waitUntilFinished listens to); its
    // typings name only the plain events.
    const emitter = this.events as unknown as EventEmitter;
    const events = [`completed:${id}`, `failed:${id}`, `removed:${id}`];
    const done = () => {
      clearTimeout(timer);
      for (const e of events) emitter.off(e, done);
      this.held.delete(done);
      release();
    };
    const timer = setTimeout(() => {
      this.log.warn({ job: id }, 'media job not settled within its lifetime: slot given back');
      done();
    }, this.jobLifetimeMs);
    this.held.add(done);
    for (const e of events) emitter.on(e, done);
    // It may have settled before the listeners were in place: then no event comes.
    void (async () => {
      const job = await this.queue.getJob(id);
      const state = job ? await job.getState() : 'unknown';
      if (state === 'completed' || state === 'failed' || state === 'unknown') done();
    })().catch((err: unknown) =>
      this.log.debug({ err: (err as Error).message, job: id }, 'media job state not read'),
    );
  }

  /**
   * Adds the job and waits for it; on TIMEOUT (or `signal`), `left.job` names the job when it
   * may still be running (it was not removed), for `run` to hold the account's slot until it
   * settles.
   */
  private async queued(
    name: string,
    data: MediaJobData,
    timeoutMs: number,
    left: { job?: string | undefined },
    signal?: AbortSignal,
  ): Promise<MediaJobResult> {
    // By content, before the bytes are taken out: identical payloads share a job.
    const dedupe = dedupeId(name, data.params, data.selfId);
    const jobId = randomUUID();
    const { params, bytes } = offload(name, data.params, jobId, this.maxPayloadBytes);
    const bounded = boundedData(name, { ...data, params });
    if (bytes) await this.payloads.put(jobId, bytes, timeoutMs + PAYLOAD_GRACE_MS);
    // A job identical to one waiting or running is not added again: `add` answers the job
    // already there, so every caller waits for the same transfer (whichever worker runs it).
    const job = await this.queue
      .add(name, bounded, {
        ...JOB_OPTIONS,
        // A caller's request headers (cookies, tokens) are not kept in Redis after the job.
        ...(carriesHeaders(params) ? { removeOnComplete: true, removeOnFail: true } : {}),
        jobId,
        ...(dedupe ? { deduplication: { id: dedupe } } : {}),
      })
      .catch(async (err: unknown) => {
        if (bytes) await this.dropPayload(jobId);
        throw err;
      });
    // Joined an identical job: that one has its own payload.
    if (bytes && job.id !== jobId) await this.dropPayload(jobId);
    const id = job.id ?? jobId;
    const waiters = this.ns.key('media', 'waiters', id);
    await this.redis
      .eval(JOIN_SCRIPT, 1, waiters, timeoutMs + PAYLOAD_GRACE_MS)
      .catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'waiter not noted'));
    const stop = callerGone(signal);
    try {
      const finished = job.waitUntilFinished(this.events, timeoutMs);
      if (!stop) return await finished;
      // Left behind when the caller goes: it ends (and lets go of its listeners) at timeoutMs.
      finished.catch(() => undefined);
      return await Promise.race([finished, stop.gone]);
    } catch (err) {
      if (signal?.aborted) {
        // The caller's deadline: as a timeout, but it is the caller's reason that is answered.
        if (!(await this.abandon(id, waiters))) left.job = id;
        throw abortReason(signal);
      }
      const message = (err as Error).message;
      this.log.warn({ err: message, job: id, name }, 'media job did not finish');
      // BullMQ rejects with "timed out" when we stopped waiting; otherwise the job failed for good.
      if (!/timed out/i.test(message)) throw new OneBotError('INTERNAL_ERROR');
      if (!(await this.abandon(id, waiters))) left.job = id;
      throw new OneBotError('TIMEOUT', `媒体任务未在 ${timeoutMs} ms 内完成`);
    } finally {
      stop?.cancel();
    }
  }

  /**
   * A caller stopped waiting (TIMEOUT). When it was the last caller of the job and no worker
   * has started it, the job is removed (with its payload): nobody would read its result, and
   * queued jobs of callers long gone must not hold the workers' turn. A job already running
   * finishes, and a retry joins it as before. A caller that joins in the instant between the
   * count and the removal waits for nothing and gets TIMEOUT; its retry adds the job again.
   * True when the job was removed (or is gone): nothing of it runs any more.
   */
  private async abandon(id: string, waiters: string): Promise<boolean> {
    try {
      if ((await this.redis.decr(waiters)) > 0) return false;
      await this.redis.del(waiters);
      const job = await this.queue.getJob(id);
      if (!job) return true;
      if (!NOT_STARTED.has(await job.getState())) return false;
      // Fails when a worker took the job meanwhile (it is locked): then it may finish.
      await job.remove();
      await this.dropPayload(id);
      this.log.info({ job: id, name: job.name }, 'media job removed: its callers timed out');
      return true;
    } catch (err) {
      this.log.debug({ err: (err as Error).message, job: id }, 'media job left to run');
      return false;
    }
  }

  private async dropPayload(id: string): Promise<void> {
    // Best effort: the payload's TTL removes it anyway.
    await this.payloads
      .delete(id)
      .catch((err: unknown) =>
        this.log.warn({ err: (err as Error).message, id }, 'media payload not deleted'),
      );
  }

  /** A media action: the result as an envelope, failures included. */
  async action(
    action: string,
    selfId: number,
    params: unknown,
    timeoutMs: number,
  ): Promise<ActionResponse> {
    try {
      // The action table's schema bounds what goes into the job (download_file's headers),
      // whoever the caller is; the gateway has parsed them already, which changes nothing.
      const checked = isActionName(action) ? parseParams(action, params) : params;
      const result = await this.run(action, { selfId, params: checked }, timeoutMs);
      return result.ok ? ok(result.data) : failed(result.retcode, result.msg, result.wording);
    } catch (err) {
      return err instanceof OneBotError
        ? failed(err.retcode, err.msg, err.wording)
        : failedTag('INTERNAL_ERROR');
    }
  }

  /** An internal job: its data, or the OneBotError it failed with. */
  async job<K extends keyof InternalJobs>(
    name: K,
    args: InternalJobs[K]['args'],
    timeoutMs: number,
    selfId = 0,
    signal?: AbortSignal,
  ): Promise<InternalJobs[K]['result']> {
    const result = await this.run(name, { selfId, params: args }, timeoutMs, signal);
    if (!result.ok) throw OneBotError.fromFailure(result.retcode, result.msg, result.wording);
    return result.data as InternalJobs[K]['result'];
  }

  /**
   * Media made ready as for the QQ side (`media.prepare`: loaded under the roots or through the
   * address guard, checked against the seed's limits), its bytes handed back: what cqfleet gives
   * an upstream implementation instead of a path or URL it must not be trusted to open.
   * Once `signal` fires, waiting stops and bytes that came are not handed back (run).
   */
  async inline(
    kind: InternalJobs['media.prepare']['args']['kind'],
    file: string,
    options: { maxBytes: number; cache?: boolean; threads?: number },
    timeoutMs: number,
    selfId = 0,
    signal?: AbortSignal,
  ): Promise<{ bytes: Buffer; prepared: InternalJobs['media.prepare']['result'] }> {
    const prepared = await this.job(
      'media.prepare',
      { kind, file, inline: true, ...options },
      timeoutMs,
      selfId,
      signal,
    );
    const id = prepared.payload;
    const bytes = id === undefined || signal?.aborted ? null : await this.payloads.get(id);
    if (id !== undefined) await this.dropPayload(id);
    if (signal?.aborted) throw abortReason(signal);
    if (!bytes) throw new OneBotError('LOAD_FILE_ERROR', '媒体数据已过期, 请重新发送');
    return { bytes, prepared };
  }

  /**
   * How many jobs the queue holds, by state (read only, one script call): `waiting` counts
   * every job not yet taken (waiting, prioritized, paused). For the operator console.
   */
  async counts(): Promise<{ waiting: number; active: number; delayed: number; failed: number }> {
    const c = await this.queue.getJobCounts(
      'waiting',
      'prioritized',
      'active',
      'delayed',
      'failed',
    );
    const n = (state: string) => c[state] ?? 0;
    return {
      waiting: n('waiting') + n('paused') + n('prioritized'),
      active: n('active'),
      delayed: n('delayed'),
      failed: n('failed'),
    };
  }

  async close(): Promise<void> {
    for (const done of [...this.held]) done();
    await this.events.close();
    await this.queue.close();
    for (const c of this.connections) c.disconnect();
  }
}

/**
 * A promise that rejects once `signal` fires (undefined without one), and what stops
 * listening to it.
 */
function callerGone(
  signal: AbortSignal | undefined,
): { gone: Promise<never>; cancel(): void } | undefined {
  if (!signal) return undefined;
  let cancel = () => undefined as void;
  const gone = new Promise<never>((_resolve, reject) => {
    if (signal.aborted) return reject(abortReason(signal));
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    cancel = () => signal.removeEventListener('abort', onAbort);
  });
  gone.catch(() => undefined);
  return { gone, cancel };
}
