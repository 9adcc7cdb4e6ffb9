/**
 * `download_file` (seed 下载文件到缓存目录) and every other fetch into the shared cache.
 *
 * - With `threads` > 1 the first request asks for the first MiB; a server that answers 206
 *   with the total size gets the rest in `threads` parallel Range requests, each written at
 *   its offset of one preallocated file (`If-Range` keeps the parts of one version; a part
 *   cut short resumes where it stopped, twice). A server that ignores Range (200) is read as
 *   one stream — the request already made is that stream.
 * - The body is written to `.<random>.part` and renamed into place when complete, so a partial
 *   download is never visible as a finished file, whatever kills the worker.
 * - Size cap (declared and counted), idle timeout, redirect limit; every hop passes the
 *   address guard (http-get.ts).
 * - An overall deadline: a server that drips a byte now and then never trips the idle
 *   timeout, so every download (all its connections, redirects and retries) ends at
 *   `deadlineMs` with `DOWNLOAD_TIMEOUT`. When a download fails for any reason every
 *   connection it still has open is aborted and awaited before its temporary file is removed.
 * - Identical downloads (same target and cap) running at once in a process share one transfer
 *   (across workers, the media client gives identical download jobs one job id).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { OneBotError } from '@cqfleet/onebot';
import type { AddressGuard } from './address-guard.js';
import { cachePath, parseHeaders } from './cache-key.js';
import { Progress, TooLargeError, writeAt } from './body-writer.js';
import { asDownloadError, downloadUrl, type GetOptions, guardedGet } from './http-get.js';
import { Refusal } from './refusals.js';
import type { DownloadLimits, DownloadProgress } from './types.js';

export interface DownloadOptions {
  /** Parallel connections (seed `thread_count`), 1–16. @default 1 */
  threads?: number;
  /** Called at most twice a second while bytes arrive. */
  onProgress?: (p: DownloadProgress) => void;
}

/** The first request of a parallel download asks for this much. */
const PROBE_BYTES = 1024 * 1024;
/** Parts smaller than this do not get a connection of their own. */
const MIN_PART_BYTES = 256 * 1024;
const PART_ATTEMPTS = 3;

/**
 * `download_file`: the URL into the cache — `<md5(url)>.cache`, or a name that also depends
 * on the request headers when there are any (cache-key.ts).
 */
export function downloadFile(
  rawUrl: string,
  rawHeaders: unknown,
  guard: AddressGuard,
  limits: DownloadLimits,
  options: DownloadOptions = {},
): Promise<string> {
  const target = cachePath(limits.cacheDir, rawUrl, rawHeaders);
  return downloadTo(rawUrl, rawHeaders, guard, limits, target, options);
}

const inflight = new Map<string, Promise<string>>();

/** Downloads a URL to `target` (inside the cache), written whole or not at all. */
export function downloadTo(
  rawUrl: string,
  rawHeaders: unknown,
  guard: AddressGuard,
  limits: DownloadLimits,
  target: string,
  options: DownloadOptions = {},
): Promise<string> {
  // A transfer under a smaller cap (an image) must not answer a caller with a larger one.
  const key = `${target}\n${limits.maxBytes}`;
  const running = inflight.get(key);
  if (running) return running;
  const transfer = fetchInto(rawUrl, rawHeaders, guard, limits, target, options).finally(() =>
    inflight.delete(key),
  );
  inflight.set(key, transfer);
  return transfer;
}

async function fetchInto(
  rawUrl: string,
  rawHeaders: unknown,
  guard: AddressGuard,
  limits: DownloadLimits,
  target: string,
  options: DownloadOptions,
): Promise<string> {
  const url = downloadUrl(rawUrl);
  const headers = parseHeaders(rawHeaders);
  const threads = Math.max(1, Math.min(16, Math.floor(options.threads ?? 1)));
  // Aborting it ends every connection of this download: at the deadline, or when one fails.
  const abort = new AbortController();
  const deadline = setTimeout(
    () =>
      abort.abort(
        new Refusal(
          'download_deadline',
          'DOWNLOAD_TIMEOUT',
          `下载未在 ${limits.deadlineMs} ms 内完成`,
        ),
      ),
    limits.deadlineMs,
  );
  const get: GetOptions = {
    headers,
    guard,
    idleTimeoutMs: limits.idleTimeoutMs,
    maxRedirects: limits.maxRedirects,
    signal: abort.signal,
  };
  const temp = join(limits.cacheDir, `.${randomBytes(8).toString('hex')}.part`);
  const progress = new Progress(options.onProgress);
  try {
    await mkdir(limits.cacheDir, { recursive: true });
    const probe = threads > 1 ? { ...headers, Range: `bytes=0-${PROBE_BYTES - 1}` } : headers;
    const { res, url: finalUrl } = await guardedGet(url, { ...get, headers: probe });
    const range = res.statusCode === 206 ? contentRange(res) : undefined;
    if (res.statusCode === 206 && range?.start === 0 && range.total !== undefined) {
      checkSize(range.total, limits, res);
      progress.total = range.total;
      await allocate(temp, range.total);
      await writeAt(res, temp, 0, range.end - range.start + 1, progress, limits);
      const validator = res.headers.etag ?? res.headers['last-modified'];
      const parts = split(range.end + 1, range.total, threads);
      await allParts(
        parts.map(p => fetchPart(finalUrl, get, validator, p, temp, progress, limits)),
        abort,
      );
    } else if (res.statusCode === 200) {
      const declared = Number(res.headers['content-length'] ?? NaN);
      if (Number.isFinite(declared)) {
        checkSize(declared, limits, res);
        progress.total = declared;
      }
      await writeAt(
        res,
        temp,
        undefined,
        Number.isFinite(declared) ? declared : undefined,
        progress,
        limits,
      );
    } else {
      res.destroy();
      throw new OneBotError('DOWNLOAD_FILE_ERROR', `服务器返回 ${res.statusCode}`);
    }
    await rename(temp, target);
    progress.flush();
    return target;
  } catch (err) {
    // Once aborted, the abort's reason (the deadline, or the part that failed first) is the
    // failure; what the other connections reported on their way down is a consequence.
    const cause: unknown = abort.signal.aborted ? abort.signal.reason : err;
    await rm(temp, { force: true });
    throw asDownloadError(cause);
  } finally {
    clearTimeout(deadline);
    // Nothing of this download may outlive it (a refused response still open, say).
    abort.abort();
  }
}

/**
 * Waits for every part; the first failure aborts the others (they stop at once), and it is
 * thrown only when all have stopped, so no connection writes after the file is removed.
 */
async function allParts(parts: Array<Promise<void>>, abort: AbortController): Promise<void> {
  const failures: unknown[] = [];
  await Promise.all(
    parts.map(p =>
      p.catch((err: unknown) => {
        failures.push(err);
        abort.abort(err);
      }),
    ),
  );
  if (failures.length > 0) throw failures[0];
}

function checkSize(size: number, limits: DownloadLimits, res?: IncomingMessage): void {
  if (size <= limits.maxBytes) return;
  res?.destroy();
  throw new TooLargeError(limits.maxBytes);
}

/** `Content-Range: bytes a-b/total` of a 206 answer. */
function contentRange(
  res: IncomingMessage,
): { start: number; end: number; total?: number } | undefined {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(String(res.headers['content-range'] ?? ''));
  if (!m) return undefined;
  return {
    start: Number(m[1]),
    end: Number(m[2]),
    ...(m[3] !== '*' ? { total: Number(m[3]) } : {}),
  };
}

async function allocate(path: string, size: number): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.truncate(size);
  } finally {
    await handle.close();
  }
}

interface Part {
  start: number;
  end: number;
}

/** [from, total) in up to `threads` parts of at least MIN_PART_BYTES. */
function split(from: number, total: number, threads: number): Part[] {
  const rest = total - from;
  if (rest <= 0) return [];
  const n = Math.max(1, Math.min(threads, Math.floor(rest / MIN_PART_BYTES)));
  const size = Math.ceil(rest / n);
  const parts: Part[] = [];
  for (let start = from; start < total; start += size)
    parts.push({ start, end: Math.min(total, start + size) - 1 });
  return parts;
}

/** One part, resumed where it stopped when the connection breaks. */
async function fetchPart(
  url: URL,
  get: GetOptions,
  validator: string | undefined,
  part: Part,
  temp: string,
  progress: Progress,
  limits: DownloadLimits,
): Promise<void> {
  let from = part.start;
  for (let attempt = 1; ; attempt++) {
    const headers = {
      ...get.headers,
      Range: `bytes=${from}-${part.end}`,
      ...(validator ? { 'If-Range': validator } : {}),
    };
    const { res } = await guardedGet(url, { ...get, headers });
    const range = contentRange(res);
    if (res.statusCode !== 206 || range?.start !== from) {
      res.destroy();
      throw new OneBotError(
        'DOWNLOAD_FILE_ERROR',
        `分段下载被拒绝 (${res.statusCode})，文件可能已改变`,
      );
    }
    const expected = part.end - from + 1;
    const written = { bytes: 0 };
    try {
      await writeAt(res, temp, from, expected, progress, limits, written);
      return;
    } catch (err) {
      if (attempt >= PART_ATTEMPTS || err instanceof OneBotError || get.signal.aborted) throw err;
      from += written.bytes;
    }
  }
}
