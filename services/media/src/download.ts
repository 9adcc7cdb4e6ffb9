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
 * - Identical downloads running at once in a process share one transfer (across workers,
 *   the media client gives identical download jobs one job id).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { OneBotError } from '@cqfleet/onebot';
import type { AddressGuard } from './address-guard.js';
import { asDownloadError, downloadUrl, type GetOptions, guardedGet } from './http-get.js';

export interface DownloadLimits {
  cacheDir: string;
  maxBytes: number;
  idleTimeoutMs: number;
  maxRedirects: number;
}

export interface DownloadProgress {
  received: number;
  /** Unknown when the server does not say. */
  total?: number;
}

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

/** Parses the seed's two header forms into a header object. */
export function parseHeaders(headers: unknown): Record<string, string> {
  const lines =
    typeof headers === 'string'
      ? headers.split(/\r?\n/)
      : Array.isArray(headers)
        ? headers.map(String)
        : [];
  const out: Record<string, string> = {};
  for (const line of lines) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    if (/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key)) out[key] = line.slice(eq + 1).trim();
  }
  return out;
}

export function cachePath(cacheDir: string, url: string): string {
  return join(cacheDir, `${createHash('md5').update(url).digest('hex')}.cache`);
}

/** `download_file`: the URL into `<cache>/<md5(url)>.cache`. */
export function downloadFile(
  rawUrl: string,
  rawHeaders: unknown,
  guard: AddressGuard,
  limits: DownloadLimits,
  options: DownloadOptions = {},
): Promise<string> {
  return downloadTo(rawUrl, rawHeaders, guard, limits, cachePath(limits.cacheDir, rawUrl), options);
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
  const running = inflight.get(target);
  if (running) return running;
  const transfer = fetchInto(rawUrl, rawHeaders, guard, limits, target, options).finally(() =>
    inflight.delete(target),
  );
  inflight.set(target, transfer);
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
  const get: GetOptions = {
    headers,
    guard,
    idleTimeoutMs: limits.idleTimeoutMs,
    maxRedirects: limits.maxRedirects,
  };
  await mkdir(limits.cacheDir, { recursive: true });
  const temp = join(limits.cacheDir, `.${randomBytes(8).toString('hex')}.part`);
  const progress = new Progress(options.onProgress);
  try {
    const probe = threads > 1 ? { ...headers, Range: `bytes=0-${PROBE_BYTES - 1}` } : headers;
    const { res, url: finalUrl } = await guardedGet(url, { ...get, headers: probe });
    const range = res.statusCode === 206 ? contentRange(res) : undefined;
    if (res.statusCode === 206 && range?.start === 0 && range.total !== undefined) {
      checkSize(range.total, limits);
      progress.total = range.total;
      await allocate(temp, range.total);
      await writeAt(res, temp, 0, range.end - range.start + 1, progress, limits);
      const validator = res.headers.etag ?? res.headers['last-modified'];
      const parts = split(range.end + 1, range.total, threads);
      await Promise.all(
        parts.map(p => fetchPart(finalUrl, get, validator, p, temp, progress, limits)),
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
      res.resume();
      throw new OneBotError('DOWNLOAD_FILE_ERROR', `服务器返回 ${res.statusCode}`);
    }
    await rename(temp, target);
    progress.flush();
    return target;
  } catch (err) {
    await rm(temp, { force: true });
    throw asDownloadError(err);
  }
}

/** A download over `maxBytes` (declared or counted); callers may answer it their own way. */
export class TooLargeError extends OneBotError {
  constructor(readonly limit: number) {
    super('DOWNLOAD_FILE_ERROR', `文件超过上限 ${limit} 字节`);
  }
}

function checkSize(size: number, limits: DownloadLimits, res?: IncomingMessage): void {
  if (size <= limits.maxBytes) return;
  res?.resume();
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
      res.resume();
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
      if (attempt >= PART_ATTEMPTS || err instanceof OneBotError) throw err;
      from += written.bytes;
    }
  }
}

/** Bytes gathered before one positional write (fewer, larger writes than stream piping). */
const FLUSH_BYTES = 1024 * 1024;

/**
 * Reads `res` into `path` (at `start`, or a new file when undefined), counting bytes: the size
 * cap and the idle timeout apply, and fewer bytes than `expected` is a failure. Chunks are
 * gathered into ~1 MiB `writev` calls, one in flight while the next is read.
 */
async function writeAt(
  res: IncomingMessage,
  path: string,
  start: number | undefined,
  expected: number | undefined,
  progress: Progress,
  limits: DownloadLimits,
  written = { bytes: 0 },
): Promise<void> {
  res.setTimeout(limits.idleTimeoutMs, () =>
    res.destroy(new Error(`no data for ${limits.idleTimeoutMs} ms`)),
  );
  const handle = await open(path, start === undefined ? 'w' : 'r+');
  let position = start ?? 0;
  let batch: Buffer[] = [];
  let batched = 0;
  let inFlight: Promise<unknown> = Promise.resolve();
  const flush = async () => {
    await inFlight;
    const [buffers, n] = [batch, batched];
    // `written` counts bytes on disk, so a part cut short resumes right after them.
    inFlight = handle.writev(buffers, position).then(() => {
      written.bytes += n;
    });
    // Observed here so a failure waits, unreported, for the next await of inFlight.
    inFlight.catch(() => undefined);
    position += n;
    batch = [];
    batched = 0;
  };
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      if (progress.add(chunk.length) > limits.maxBytes) throw new TooLargeError(limits.maxBytes);
      batch.push(chunk);
      batched += chunk.length;
      if (batched >= FLUSH_BYTES) await flush();
    }
    if (batched > 0) await flush();
    await inFlight;
  } catch (err) {
    // What arrived before the connection broke is good: keep it for the resume.
    if (!(err instanceof OneBotError) && batched > 0) await flush().catch(() => undefined);
    throw err;
  } finally {
    await inFlight.catch(() => undefined);
    await handle.close();
  }
  if (expected !== undefined && written.bytes !== expected)
    throw new Error(`transfer cut short: ${written.bytes} of ${expected} bytes`);
}

/** Bytes received by every connection of one download, reported at most twice a second. */
class Progress {
  received = 0;
  total?: number;
  private last = 0;

  constructor(private readonly report?: (p: DownloadProgress) => void) {}

  add(n: number): number {
    this.received += n;
    if (this.report && Date.now() - this.last >= 500) this.flush();
    return this.received;
  }

  flush(): void {
    this.last = Date.now();
    this.report?.({
      received: this.received,
      ...(this.total !== undefined ? { total: this.total } : {}),
    });
  }
}
