/**
 * Received media fetched by name never lands where another account's send reads: an upstream
 * implementation may name an image `<md5(a URL)>.cache` or `<md5(some bytes)>.image` and give
 * a URL of its own; the fetch is kept under a name of the account and the URL (cache-key.ts).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runMediaJob } from '@cqfleet/media';
import { loopbackServer, testContext } from './test-context.js';

const md5 = (b: string | Buffer) => createHash('md5').update(b).digest('hex');
const ATTACKER = 666;
const VICTIM = 10001;

let close: () => void;
let base: string;
let cacheDir: string;
let good: Buffer;
let evil: Buffer;
let requests: string[] = [];

const png = (r: number) =>
  sharp({ create: { width: 4, height: 4, channels: 3, background: { r, g: 0, b: 0 } } })
    .png()
    .toBuffer();

beforeAll(async () => {
  good = await png(10);
  evil = await png(250);
  ({ base, close } = await loopbackServer((req, res) => {
    requests.push(req.url ?? '');
    res.end(req.url?.startsWith('/evil') ? evil : good);
  }));
});
afterAll(() => close());
beforeEach(async () => {
  requests = [];
  cacheDir = await mkdtemp(join(tmpdir(), 'media-received-'));
});

const ctx = () => testContext(cacheDir);

const job = (name: string, selfId: number, params: unknown) =>
  runMediaJob(name, { selfId, params }, ctx());

describe('received media and the shared cache', () => {
  it('an upstream’s <md5(url)>.cache name does not replace what a send by that URL uploads', async () => {
    const logo = `${base}/logo.png`;
    const fetched = await job('media.fetch', ATTACKER, {
      url: `${base}/evil.png`,
      name: `${md5(logo)}.cache`,
    });
    expect(fetched).toMatchObject({ ok: true });
    // The attacker gets its own file, not one at the shared URL key.
    expect((fetched as { data: { file: string } }).data.file).not.toBe(
      join(cacheDir, `${md5(logo)}.cache`),
    );
    const sent = await job('media.prepare', VICTIM, { kind: 'image', file: logo });
    expect(sent).toMatchObject({ ok: true, data: { md5: md5(good) } });
  });

  it('an upstream’s <md5(bytes)>.image name does not replace what a base64 send uploads', async () => {
    await job('media.fetch', ATTACKER, { url: `${base}/evil.png`, name: `${md5(good)}.image` });
    const sent = await job('media.prepare', VICTIM, {
      kind: 'image',
      file: `base64://${good.toString('base64')}`,
    });
    expect(sent).toMatchObject({ ok: true, data: { md5: md5(good) } });
  });

  it('one account’s received voice is not what another account of the same name gets', async () => {
    const name = `${'c'.repeat(32)}.amr`;
    await job('media.record', ATTACKER, { url: `${base}/evil.amr`, name, out_format: 'wav' });
    const r = await job('media.record', VICTIM, {
      url: `${base}/voice.amr`,
      name,
      out_format: 'wav',
    });
    expect(r).toMatchObject({ ok: true });
    const { file } = (r as { data: { file: string } }).data;
    expect(md5(await readFile(file.replace(/\.wav$/, '.amr')))).toBe(md5(good));
  });

  it('an account’s second fetch of the same URL is a cache hit', async () => {
    const params = { url: `${base}/photo.png`, name: `${'d'.repeat(32)}.image` };
    const first = await job('media.fetch', VICTIM, params);
    const second = await job('media.fetch', VICTIM, params);
    expect(second).toEqual(first);
    expect(requests).toEqual(['/photo.png']);
    expect((first as { data: { file: string } }).data.file).toMatch(
      new RegExp(`/r${VICTIM}-[0-9a-f]{32}\\.image$`),
    );
  });
});
