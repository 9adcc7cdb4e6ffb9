/**
 * The demo chat's images (`GET /console/api/sim/media?url=…`, console/sim-media.ts) against a
 * stand-in simulator: only its own `/media/image/…` URLs are fetched, only PNG, JPEG, GIF and
 * WebP of at most 5 MiB go out, with their type and the cache and nosniff headers.
 */
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_MEDIA_BYTES, simMediaUrl, sniffImage } from '../src/console/sim-media.js';
import { type SimConsole, startSimConsole } from './console-sim-support.js';

const TOKEN = 'tok';
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
  'base64',
);

describe('simulator image URLs', () => {
  const base = 'http://127.0.0.1:5900';
  it('are the simulator’s /media/image/<name> and nothing else', () => {
    expect(simMediaUrl(base, `${base}/media/image/0123abcd.image`)).toBe(
      `${base}/media/image/0123abcd.image`,
    );
    for (const bad of [
      null,
      '',
      'not a url',
      'http://127.0.0.1:5901/media/image/a.image',
      'http://localhost:5900/media/image/a.image',
      'https://127.0.0.1:5900/media/image/a.image',
      'http://169.254.169.254/latest/meta-data',
      `${base}/world`,
      `${base}/media/file/private/1/a.txt`,
      `${base}/media/image/a.image?x=1`,
      `${base}/media/image/a.image#x`,
      'http://u:p@127.0.0.1:5900/media/image/a.image',
      `${base}/media/image/%2e%2e%2fworld`,
    ])
      expect(() => simMediaUrl(base, bad), String(bad)).toThrow(
        expect.objectContaining({ status: 400 }),
      );
  });

  it('are images by their signature', () => {
    expect(sniffImage(PNG)).toBe('image/png');
    expect(sniffImage(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(sniffImage(Buffer.from('GIF89a...'))).toBe('image/gif');
    expect(sniffImage(Buffer.from('RIFF\0\0\0\0WEBPVP8 '))).toBe('image/webp');
    expect(sniffImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeUndefined();
    expect(sniffImage(Buffer.alloc(0))).toBeUndefined();
  });
});

describe('GET /console/api/sim/media', () => {
  let running: SimConsole;
  let base: string;
  let simUrl: string;
  const asked: string[] = [];

  const send = (res: ServerResponse, type: string, body: Buffer | string) => {
    res.writeHead(200, { 'content-type': type });
    res.end(body);
  };

  beforeAll(async () => {
    running = await startSimConsole(
      (req, res) => {
        const url = req.url ?? '/';
        asked.push(url);
        if (url === '/media/image/placeholder.png') return send(res, 'image/png', PNG);
        // What the simulator does for images people sent as base64.
        if (url === '/media/image/sent.image') return send(res, 'application/octet-stream', PNG);
        if (url === '/media/image/page.image') return send(res, 'text/html', '<script>x</script>');
        if (url === '/media/image/script.image')
          return send(res, 'application/octet-stream', 'alert(1)');
        if (url === '/media/image/svg.image') return send(res, 'image/svg+xml', '<svg/>');
        if (url === '/media/image/huge.image')
          return send(res, 'image/png', Buffer.concat([PNG, Buffer.alloc(MAX_MEDIA_BYTES)]));
        if (url === '/media/image/streamed.image') {
          // No content-length: the limit holds while the body streams.
          res.writeHead(200, { 'content-type': 'image/png' });
          res.write(PNG);
          const chunk = Buffer.alloc(1024 * 1024);
          for (let i = 0; i < 6; i++) res.write(chunk);
          return res.end();
        }
        if (url === '/media/image/slow.image') return; // never answers
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"error":{"code":"NOT_FOUND","message":"no such media"}}');
      },
      { token: TOKEN, timeoutMs: 500 },
    );
    ({ base, simUrl } = running);
  });

  afterAll(() => running.stop());

  const media = (url: string, token = TOKEN, prefix = '') =>
    fetch(`${base}${prefix}/console/api/sim/media?url=${encodeURIComponent(url)}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
  const refusal = async (res: Response) => ({
    status: res.status,
    code: ((await res.json()) as { error: { code: string } }).error.code,
  });

  it('answers a PNG with its type, cacheable privately, not sniffable', async () => {
    for (const name of ['placeholder.png', 'sent.image']) {
      const res = await media(`${simUrl}/media/image/${name}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect(res.headers.get('cache-control')).toBe('private, max-age=300');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(Buffer.from(await res.arrayBuffer()).equals(PNG)).toBe(true);
    }
  });

  it('needs the admin token', async () => {
    expect((await media(`${simUrl}/media/image/placeholder.png`, '')).status).toBe(401);
    expect((await media(`${simUrl}/media/image/placeholder.png`, 'wrong')).status).toBe(403);
  });

  it('refuses another origin, or another path, before fetching anything', async () => {
    const before = asked.length;
    const port = Number(new URL(simUrl).port);
    for (const url of [
      `http://127.0.0.1:${port + 1}/media/image/placeholder.png`,
      `http://localhost:${port}/media/image/placeholder.png`,
      'http://169.254.169.254/latest/meta-data',
      `${simUrl}/world`,
      'file:///etc/passwd',
    ])
      expect(await refusal(await media(url)), url).toEqual({ status: 400, code: 'BAD_URL' });
    const none = await fetch(`${base}/console/api/sim/media`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(none.status).toBe(400);
    expect(asked.length).toBe(before);
  });

  it('refuses an image over 5 MiB, declared or streamed', async () => {
    for (const name of ['huge.image', 'streamed.image'])
      expect(await refusal(await media(`${simUrl}/media/image/${name}`))).toEqual({
        status: 413,
        code: 'TOO_LARGE',
      });
  });

  it('refuses what is not a PNG, JPEG, GIF or WebP', async () => {
    for (const name of ['page.image', 'script.image', 'svg.image'])
      expect(await refusal(await media(`${simUrl}/media/image/${name}`)), name).toEqual({
        status: 415,
        code: 'NOT_AN_IMAGE',
      });
  });

  it('passes a 404 on, and a simulator that does not answer in time is 502', async () => {
    expect(await refusal(await media(`${simUrl}/media/image/missing.image`))).toEqual({
      status: 404,
      code: 'NOT_FOUND',
    });
    expect(await refusal(await media(`${simUrl}/media/image/slow.image`))).toEqual({
      status: 502,
      code: 'SIMULATOR_UNAVAILABLE',
    });
  });

  it('is 404 SIMULATOR_NOT_CONFIGURED without a simulator URL', async () => {
    expect(
      await refusal(await media(`${simUrl}/media/image/placeholder.png`, TOKEN, '/nosim')),
    ).toEqual({
      status: 404,
      code: 'SIMULATOR_NOT_CONFIGURED',
    });
  });
});
