/**
 * The cache is keyed by URL and request headers: what one caller downloaded with its cookie is
 * never what another caller of the same URL gets, with other headers or none — not from
 * download_file, and not when an image is sent by URL (which reuses cached downloads).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cachePath, headersDigest, runMediaJob } from '@cqfleet/media';
import { loopbackServer, testContext } from './test-context.js';

let close: () => void;
let url: string;
let cacheDir: string;
/** What the server answers: a picture per cookie, and a public one without. */
const pictures = new Map<string, Buffer>();
const cookies: string[] = [];
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

beforeAll(async () => {
  for (const [who, colour] of [
    ['public', '#0a0'],
    ['tenant=a', '#a00'],
    ['tenant=b', '#00a'],
  ] as const)
    pictures.set(
      who,
      await sharp({ create: { width: 4, height: 4, channels: 3, background: colour } })
        .png()
        .toBuffer(),
    );
  let base: string;
  ({ base, close } = await loopbackServer((req, res) => {
    cookies.push(req.headers.cookie ?? '');
    res.end(pictures.get(req.headers.cookie ?? 'public') ?? pictures.get('public'));
  }));
  url = `${base}/me.png`;
});
afterAll(() => close());
beforeEach(async () => {
  cookies.length = 0;
  cacheDir = await mkdtemp(join(tmpdir(), 'media-key-'));
});

const ctx = () => testContext(cacheDir, { maxRedirects: 3 });

async function download(headers?: unknown): Promise<string> {
  const r = await runMediaJob(
    'download_file',
    { selfId: 1, params: { url, ...(headers ? { headers } : {}) } },
    ctx(),
  );
  if (!r.ok) throw new Error(r.wording);
  return (r.data as { file: string }).file;
}

describe('cache keyed by URL and headers', () => {
  it('download_file: each set of headers has its own file; none answers another', async () => {
    const a = await download('Cookie=tenant=a');
    const none = await download();
    const b = await download(['Cookie=tenant=b']);
    expect(new Set([a, none, b]).size).toBe(3);
    expect(none).toBe(cachePath(cacheDir, url));
    expect(await readFile(a)).toEqual(pictures.get('tenant=a'));
    expect(await readFile(none)).toEqual(pictures.get('public'));
    expect(await readFile(b)).toEqual(pictures.get('tenant=b'));
    // go-cqhttp's result shape: the absolute path, under the cache.
    expect(a.startsWith(`${cacheDir}/`)).toBe(true);
  });

  it('an image sent by URL is never the download another caller made with a cookie', async () => {
    await download('Cookie=tenant=a');
    const sent = await runMediaJob(
      'media.prepare',
      { selfId: 2, params: { kind: 'image', file: url } },
      ctx(),
    );
    expect(sent).toMatchObject({ ok: true, data: { md5: md5(pictures.get('public')!) } });
    expect(cookies).toEqual(['tenant=a', '']);
  });

  it('object-form headers are sent, and cached under the name of what was sent', async () => {
    const a = await download({ Cookie: 'tenant=a' });
    expect(cookies).toEqual(['tenant=a']);
    expect(await readFile(a)).toEqual(pictures.get('tenant=a'));
    expect(a).toBe(await download('Cookie=tenant=a'));
    expect(a).toBe(cachePath(cacheDir, url, ['Cookie=tenant=a']));
  });

  it('a header value that is not a string is INVALID_PARAMS, never a worker error', async () => {
    for (const headers of [{ a: 1 }, ['X-A=1', 2]])
      await expect(
        runMediaJob('download_file', { selfId: 1, params: { url, headers } }, ctx()),
      ).resolves.toMatchObject({ ok: false, msg: 'INVALID_PARAMS' });
    // cachePath, whoever calls it, names only what would be sent.
    expect(cachePath('/c', url, { a: 1, Cookie: 'x' })).toBe(cachePath('/c', url, 'Cookie=x'));
    expect(cookies).toEqual([]);
  });

  it('the digest ignores header order and name case, and counts values', () => {
    expect(headersDigest({ Cookie: 'x', 'User-Agent': 'u' })).toBe(
      headersDigest({ 'user-agent': 'u ', cookie: 'x' }),
    );
    expect(headersDigest({ Cookie: 'x' })).not.toBe(headersDigest({ Cookie: 'y' }));
    expect(headersDigest({})).toBe('');
    expect(cachePath('/c', url, 'Cookie=x')).toBe(cachePath('/c', url, { cookie: 'x' }));
  });
});
