/**
 * Downloads end: a server that drips a byte now and then (the idle timeout never fires) is cut
 * at the overall deadline, single-stream and ranged alike, with every connection closed and no
 * temporary file left; a server that goes quiet trips the idle timeout. Both are
 * DOWNLOAD_TIMEOUT and are counted as refusals.
 */
import { mkdtemp, readdir } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { metricsRegistry } from '@cqfleet/runtime';
import { waitFor } from '@cqfleet/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AddressGuard, downloadFile, type MediaContext, runMediaJob } from '@cqfleet/media';
import { loopbackServer } from './test-context.js';

const TOTAL = 4 * 1024 * 1024;
let close: () => void;
let base: string;
let cacheDir: string;
/** Responses the server has open right now, and every Range it was asked for. */
let open = 0;
let ranges: string[] = [];

/** One byte every 100 ms, until the client goes away. */
function drip(res: ServerResponse): void {
  const timer = setInterval(() => res.write('x'), 100);
  res.on('close', () => clearInterval(timer));
}

function route(req: IncomingMessage, res: ServerResponse): void {
  open++;
  res.on('close', () => open--);
  ranges.push(req.headers.range ?? '');
  switch (req.url) {
    case '/drip':
      res.writeHead(200, { 'content-length': 1000 });
      return drip(res);
    case '/drip-ranged': {
      // The probe (the first MiB) comes at once; every other part drips.
      const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
      if (!m) {
        res.writeHead(200, { 'content-length': TOTAL });
        return drip(res);
      }
      const [start, end] = [Number(m[1]), Math.min(Number(m[2]), TOTAL - 1)];
      res.writeHead(206, {
        'content-range': `bytes ${start}-${end}/${TOTAL}`,
        'content-length': end - start + 1,
        etag: '"v1"',
      });
      if (start === 0) return void res.end(Buffer.alloc(end + 1));
      return drip(res);
    }
    case '/quiet':
      // Headers, then nothing at all.
      res.writeHead(200, { 'content-length': 1000 });
      return void res.write('x');
    default:
      res.writeHead(404);
      res.end();
  }
}

beforeAll(async () => {
  ({ base, close } = await loopbackServer(route));
});
afterAll(() => close());
beforeEach(async () => {
  ranges = [];
  cacheDir = await mkdtemp(join(tmpdir(), 'media-deadline-'));
});

const guard = new AddressGuard(['127.0.0.1']);
const limits = (deadlineMs: number, idleTimeoutMs = 5_000) => ({
  cacheDir,
  maxBytes: 64 * 1024 * 1024,
  idleTimeoutMs,
  deadlineMs,
  maxRedirects: 3,
});

/** The failure of `p`, or an error when it has not failed within `withinMs`. */
async function failure(p: Promise<unknown>, withinMs: number) {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${withinMs} ms`)), withinMs);
  });
  try {
    await Promise.race([p, late]);
  } catch (err) {
    return err as { msg?: string; wording?: string };
  } finally {
    clearTimeout(timer);
  }
  throw new Error('expected a failure');
}

async function refused(reason: string): Promise<number> {
  const metric = metricsRegistry.getSingleMetric('cqfleet_media_refused_total');
  const values = metric ? (await metric.get()).values : [];
  return values.find(v => v.labels.reason === reason)?.value ?? 0;
}

describe('download deadline', () => {
  it('a dripping server is cut at the deadline: DOWNLOAD_TIMEOUT, connection closed, nothing left', async () => {
    const err = await failure(downloadFile(`${base}/drip`, undefined, guard, limits(600)), 5_000);
    expect(err).toMatchObject({ msg: 'DOWNLOAD_TIMEOUT' });
    expect(err.wording).toMatch(/600 ms/);
    await waitFor(async () => (open === 0 ? true : undefined), 2_000, 'connections closed');
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it('a ranged download: every connection is aborted at the deadline', async () => {
    const err = await failure(
      downloadFile(`${base}/drip-ranged`, undefined, guard, limits(800), { threads: 4 }),
      5_000,
    );
    expect(err).toMatchObject({ msg: 'DOWNLOAD_TIMEOUT' });
    // The probe and the parallel parts were all under way.
    expect(ranges[0]).toBe('bytes=0-1048575');
    expect(ranges.length).toBeGreaterThanOrEqual(4);
    await waitFor(async () => (open === 0 ? true : undefined), 2_000, 'every part closed');
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it('a server that goes quiet trips the idle timeout: DOWNLOAD_TIMEOUT too', async () => {
    const err = await failure(
      downloadFile(`${base}/quiet`, undefined, guard, limits(30_000, 300)),
      5_000,
    );
    expect(err).toMatchObject({ msg: 'DOWNLOAD_TIMEOUT' });
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it('download_file answers the failure in its envelope and counts the refusal', async () => {
    const before = await refused('download_deadline');
    const ctx: Omit<MediaContext, 'selfId'> = {
      guard,
      limits: limits(500),
      roots: [],
      videoMaxBytes: 1024,
      ffmpeg: 'ffmpeg',
    };
    const answer = await Promise.race([
      runMediaJob('download_file', { selfId: 1, params: { url: `${base}/drip` } }, ctx),
      new Promise(r => setTimeout(() => r('still running'), 5_000)),
    ]);
    expect(answer).toMatchObject({ ok: false, msg: 'DOWNLOAD_TIMEOUT', retcode: 100 });
    expect(await refused('download_deadline')).toBe(before + 1);
  });
});
