/**
 * Limits applied before the work, not after it: OCR of a URL stops downloading at the image
 * cap (30 MB), inline base64 over the cap is refused from its length, and get_record's
 * out_format is checked before it becomes part of a path or anything is fetched.
 */
import { mkdir, mkdtemp, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { metricsRegistry } from '@cqfleet/runtime';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { receivedPath, runMediaJob } from '@cqfleet/media';
import { loopbackServer, testContext } from './test-context.js';

const MiB = 1024 * 1024;
let close: () => void;
let base: string;
let cacheDir: string;
/** Bytes the server handed to the socket for the last request, and requests seen. */
let sent = 0;
let requests = 0;

/** `size` bytes in 64 KiB chunks, as fast as the client reads them. */
function stream(res: ServerResponse, size: number): void {
  const chunk = Buffer.alloc(64 * 1024, 7);
  const next = () => {
    while (sent < size && !res.destroyed) {
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', next);
    }
    if (!res.destroyed) res.end();
  };
  next();
}

beforeAll(async () => {
  ({ base, close } = await loopbackServer((req, res) => {
    requests++;
    sent = 0;
    if (req.url === '/huge-chunked.png') return stream(res, 48 * MiB);
    if (req.url === '/huge-declared.png') {
      res.writeHead(200, { 'content-length': 40 * MiB });
      return stream(res, 40 * MiB);
    }
    res.end(Buffer.from('RIFF....WAVE'));
  }));
});
afterAll(() => close());
beforeEach(async () => {
  requests = 0;
  // The cache sits one level down, so a path that climbs out of it has somewhere to land.
  cacheDir = join(await mkdtemp(join(tmpdir(), 'media-limits-')), 'cache');
  await mkdir(cacheDir);
});

const ctx = () =>
  testContext(cacheDir, { maxBytes: 1024 ** 3, deadlineMs: 30_000, maxRedirects: 3 });

async function refused(reason: string): Promise<number> {
  const metric = metricsRegistry.getSingleMetric('cqfleet_media_refused_total');
  const values = metric ? (await metric.get()).values : [];
  return values.find(v => v.labels.reason === reason)?.value ?? 0;
}

describe('ocr_image limits', () => {
  it('a URL is downloaded only up to the 30 MB image cap: MEDIA_TOO_LARGE', async () => {
    const before = await refused('media_too_large');
    const r = await runMediaJob(
      'media.ocr',
      { selfId: 1, params: { url: `${base}/huge-chunked.png` } },
      ctx(),
    );
    expect(r).toMatchObject({ ok: false, msg: 'MEDIA_TOO_LARGE' });
    // The transfer stopped at the cap (what the sockets buffer aside), far short of 48 MiB.
    expect(sent).toBeGreaterThan(30 * MiB);
    expect(sent).toBeLessThan(40 * MiB);
    expect(await refused('media_too_large')).toBe(before + 1);
    expect((await readdir(cacheDir)).filter(n => !n.startsWith('.'))).toEqual([]);
  });

  it('a declared size over the cap is refused before the body is read', async () => {
    const r = await runMediaJob(
      'media.ocr',
      { selfId: 1, params: { url: `${base}/huge-declared.png` } },
      ctx(),
    );
    expect(r).toMatchObject({ ok: false, msg: 'MEDIA_TOO_LARGE' });
    expect(sent).toBeLessThan(20 * MiB);
  });

  it('inline base64 over the cap is refused from its length', async () => {
    const base64 = 'A'.repeat(Math.ceil((30 * MiB + 16) / 3) * 4);
    const r = await runMediaJob('media.ocr', { selfId: 1, params: { base64 } }, ctx());
    expect(r).toMatchObject({ ok: false, msg: 'MEDIA_TOO_LARGE' });
  });
});

describe('get_record out_format', () => {
  it.each(['../../victim', '/../../victim', 'wav/../../../victim', 'exe'])(
    '%s is INVALID_PARAMS before any path is built or anything fetched',
    async outFormat => {
      // A file where a climbing out_format would land: it must be neither touched nor named.
      const victim = join(dirname(cacheDir), 'victim');
      await writeFile(victim, 'keep');
      const old = new Date(2000, 0, 1);
      await utimes(victim, old, old);
      const before = await refused('invalid_params');
      const r = await runMediaJob(
        'media.record',
        {
          selfId: 1,
          params: { url: `${base}/voice`, name: `${'a'.repeat(32)}.amr`, out_format: outFormat },
        },
        ctx(),
      );
      expect(r).toMatchObject({ ok: false, msg: 'INVALID_PARAMS' });
      expect((r as { wording: string }).wording).toMatch(/out_format/);
      expect(requests).toBe(0);
      expect((await stat(victim)).mtimeMs).toBe(old.getTime());
      expect(await refused('invalid_params')).toBe(before + 1);
    },
  );

  it('a known format still converts (wav needs nothing)', async () => {
    const r = await runMediaJob(
      'media.record',
      {
        selfId: 1,
        params: { url: `${base}/voice`, name: `${'b'.repeat(32)}.amr`, out_format: 'wav' },
      },
      ctx(),
    );
    // Kept under the account's and the URL's name (received-cache.test.ts), beside its source.
    expect(r).toMatchObject({
      ok: true,
      data: { file: receivedPath(cacheDir, 1, `${base}/voice`, 'x.wav') },
    });
  });
});
