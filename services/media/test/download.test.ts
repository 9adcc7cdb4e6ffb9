import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OneBotError } from '@cqfleet/onebot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddressGuard, cachePath, downloadFile, parseHeaders } from '@cqfleet/media';

let server: Server;
let base: string;
let cacheDir: string;
const seenHeaders: Record<string, string | string[] | undefined>[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seenHeaders.push(req.headers);
    switch (req.url) {
      case '/file':
        return res.end('payload');
      case '/big':
        res.writeHead(200, { 'content-length': '100000' });
        return res.end(Buffer.alloc(100_000));
      case '/cut':
        // Promises 1000 bytes, sends 10, then dies: the download must not leave a file.
        res.writeHead(200, { 'content-length': '1000' });
        res.write('0123456789');
        setTimeout(() => res.destroy(), 20);
        return;
      case '/loop':
        res.writeHead(302, { location: '/loop' });
        return res.end();
      case '/to-metadata':
        res.writeHead(302, { location: 'http://169.254.169.254/latest' });
        return res.end();
      default:
        res.writeHead(404);
        res.end();
    }
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cacheDir = await mkdtemp(join(tmpdir(), 'media-test-'));
});
afterAll(() => server.close());

const limits = () => ({
  cacheDir,
  maxBytes: 50_000,
  idleTimeoutMs: 2_000,
  deadlineMs: 10_000,
  maxRedirects: 3,
});
const allowLocal = new AddressGuard(['127.0.0.1']);

async function failure(p: Promise<unknown>): Promise<OneBotError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof OneBotError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('download_file', () => {
  it('headers in both seed forms', () => {
    const expected = { 'User-Agent': 'UA', Referer: 'https://www.baidu.com' };
    expect(parseHeaders('User-Agent=UA\r\nReferer=https://www.baidu.com')).toEqual(expected);
    expect(parseHeaders(['User-Agent=UA', 'Referer=https://www.baidu.com'])).toEqual(expected);
    expect(parseHeaders(['bad header=x', 'no-equals', '=novalue'])).toEqual({});
    expect(parseHeaders(undefined)).toEqual({});
  });

  it('downloads into <cache>/<md5(url)>[-<headers digest>].cache with the custom headers', async () => {
    const file = await downloadFile(`${base}/file`, ['X-Test=yes'], allowLocal, limits());
    expect(file).toBe(cachePath(cacheDir, `${base}/file`, ['X-Test=yes']));
    expect(await readFile(file, 'utf8')).toBe('payload');
    expect(seenHeaders.at(-1)?.['x-test']).toBe('yes');
    expect(await downloadFile(`${base}/file`, undefined, allowLocal, limits())).toBe(
      cachePath(cacheDir, `${base}/file`),
    );
  });

  it('refuses loopback unless allowed, metadata addresses even after a redirect', async () => {
    expect(
      (await failure(downloadFile(`${base}/file`, undefined, new AddressGuard([]), limits()))).msg,
    ).toBe('FORBIDDEN_ADDRESS');
    expect(
      (await failure(downloadFile(`${base}/to-metadata`, undefined, allowLocal, limits()))).msg,
    ).toBe('FORBIDDEN_ADDRESS');
    expect(
      (await failure(downloadFile('http://[::1]/x', undefined, new AddressGuard([]), limits())))
        .msg,
    ).toBe('FORBIDDEN_ADDRESS');
    // A host name is judged by the addresses it resolves to.
    const port = new URL(base).port;
    expect(
      (
        await failure(
          downloadFile(`http://localhost:${port}/file`, undefined, new AddressGuard([]), limits()),
        )
      ).msg,
    ).toBe('FORBIDDEN_ADDRESS');
    const guard = new AddressGuard([]);
    expect(guard.permits('x', '10.1.2.3')).toBe(false);
    expect(guard.permits('x', '::ffff:127.0.0.1')).toBe(false);
    expect(guard.permits('x', '93.184.216.34')).toBe(true);
    expect(new AddressGuard(['10.0.0.0/8']).permits('x', '10.1.2.3')).toBe(true);
  });

  it('limits: size, redirects, schemes, status', async () => {
    expect(
      (await failure(downloadFile(`${base}/big`, undefined, allowLocal, limits()))).wording,
    ).toMatch(/上限/);
    expect(
      (await failure(downloadFile(`${base}/loop`, undefined, allowLocal, limits()))).wording,
    ).toMatch(/重定向/);
    expect(
      (await failure(downloadFile('file:///etc/passwd', undefined, allowLocal, limits()))).msg,
    ).toBe('DOWNLOAD_FILE_ERROR');
    expect(
      (await failure(downloadFile(`${base}/missing`, undefined, allowLocal, limits()))).wording,
    ).toMatch(/404/);
  });

  it('a broken transfer leaves neither a finished file nor a temporary one', async () => {
    expect((await failure(downloadFile(`${base}/cut`, undefined, allowLocal, limits()))).msg).toBe(
      'DOWNLOAD_FILE_ERROR',
    );
    const names = await readdir(cacheDir);
    expect(names.filter(n => n.endsWith('.part'))).toEqual([]);
    expect(names).not.toContain(cachePath(cacheDir, `${base}/cut`).split('/').at(-1));
  });
});
