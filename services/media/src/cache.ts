/**
 * The shared cache's size cap. Every media worker sweeps the cache directory (they may all
 * share one volume; removing a file twice is harmless):
 *
 * - finished files are evicted least recently used first (a cache hit touches the file's
 *   mtime) until the cache is at 90 % of its caps — files younger than `keepFreshMs` are kept,
 *   since a job may be about to hand them to a client;
 * - the caps are on what the files take on disk (allocated blocks, not their length) and on
 *   their number: a flood of one-byte downloads (`…?1`, `…?2`, …) was nearly nothing by length
 *   and so never evicted, while each took a 4 KiB block and an inode, and made every sweep
 *   longer;
 * - `*.part` files not written for `partStaleMs` were left by a worker that died mid-transfer
 *   (a live transfer writes at least every idle timeout) and are removed whatever the size.
 */
import { readdir, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@cqfleet/runtime';

export interface CacheLimits {
  dir: string;
  /** Bytes the finished files may take on disk. */
  maxBytes: number;
  /** Finished files the cache may hold. */
  maxFiles: number;
  /** Never evict files modified this recently. */
  keepFreshMs: number;
  /** A temporary file untouched this long is abandoned. */
  partStaleMs: number;
}

export interface SweepResult {
  /** Bytes the finished files took on disk before the sweep. */
  total: number;
  /** Finished files before the sweep. */
  files: number;
  evicted: number;
  freed: number;
  staleParts: number;
}

interface Entry {
  path: string;
  size: number;
  mtimeMs: number;
}

export async function sweepCache(limits: CacheLimits, now = Date.now()): Promise<SweepResult> {
  const names = await readdir(limits.dir).catch(() => [] as string[]);
  const files: Entry[] = [];
  const result: SweepResult = { total: 0, files: 0, evicted: 0, freed: 0, staleParts: 0 };
  for (const name of names) {
    const path = join(limits.dir, name);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) continue;
    if (name.endsWith('.part')) {
      if (now - info.mtimeMs > limits.partStaleMs) {
        await rm(path, { force: true });
        result.staleParts++;
      }
      continue;
    }
    // What the file takes on disk: its blocks (512 bytes each, whatever the block size).
    const size = Math.max(info.size, info.blocks * 512);
    files.push({ path, size, mtimeMs: info.mtimeMs });
    result.total += size;
  }
  result.files = files.length;
  if (result.total <= limits.maxBytes && files.length <= limits.maxFiles) return result;
  const goalBytes = limits.maxBytes * 0.9;
  const goalFiles = Math.floor(limits.maxFiles * 0.9);
  let size = result.total;
  let count = files.length;
  for (const f of files.sort((a, b) => a.mtimeMs - b.mtimeMs)) {
    if (size <= goalBytes && count <= goalFiles) break;
    if (now - f.mtimeMs < limits.keepFreshMs) break;
    await rm(f.path, { force: true });
    size -= f.size;
    count--;
    result.evicted++;
    result.freed += f.size;
  }
  return result;
}

/** Marks a cached file as just used (it moves to the back of the eviction order). */
export async function touch(path: string): Promise<boolean> {
  const now = new Date();
  return utimes(path, now, now).then(
    () => true,
    () => false,
  );
}

/** Sweeps on a timer and after jobs, one sweep at a time; failures are logged, never thrown. */
export class CacheJanitor {
  private running: Promise<void> | undefined;
  private last = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly limits: CacheLimits,
    private readonly everyMs: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.everyMs);
    this.timer.unref();
    void this.sweep();
  }

  /** After a job wrote to the cache: sweeps unless one ran in the last few seconds. */
  afterWrite(): void {
    if (Date.now() - this.last > 5_000) void this.sweep();
  }

  sweep(): Promise<void> {
    this.running ??= sweepCache(this.limits)
      .then(r => {
        if (r.evicted || r.staleParts) this.log.info({ ...r }, 'media cache swept');
      })
      .catch((err: unknown) => this.log.warn({ err }, 'media cache sweep failed'))
      .finally(() => {
        this.last = Date.now();
        this.running = undefined;
      });
    return this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
