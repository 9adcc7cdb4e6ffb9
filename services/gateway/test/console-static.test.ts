/**
 * The console's static files (issue 19) against hostile paths, in process: only regular files
 * inside the assets directory are served, whatever the encoding of the path or the symlinks in
 * it, with their content types and the security headers; everything else is 404 (400 for a
 * malformed escape, 405 for other methods).
 */
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assetPath, consoleStatic, contentTypeOf } from '../src/console/static-files.js';

let root: string;
let server: Server;
let port: number;

async function serve(dir: string): Promise<[Server, number]> {
  const route = consoleStatic(dir);
  const s = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    void route(req, res, path).then(answered => {
      if (answered) return;
      res.writeHead(404, { 'x-fallback': '1' });
      res.end();
    });
  });
  await new Promise<void>(resolve => s.listen(0, '127.0.0.1', resolve));
  return [s, (s.address() as AddressInfo).port];
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request with the path exactly as given (fetch would normalise `..` and `%2e`). */
function raw(path: string, method = 'GET', headers: Record<string, string> = {}, at = port) {
  return new Promise<Answer>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: at, path, method, headers }, res => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'console-static-'));
  const dir = join(root, 'public');
  await mkdir(join(dir, 'assets'), { recursive: true });
  await mkdir(join(dir, 'folder.js'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>console</title>');
  await writeFile(join(dir, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(dir, 'assets', 'app.js.map'), '{}');
  await writeFile(join(dir, 'assets', 'style.css'), 'body{}');
  await writeFile(join(dir, 'logo.svg'), '<svg/>');
  await writeFile(join(dir, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  await writeFile(join(dir, 'data.json'), '{"a":1}');
  await writeFile(join(dir, 'notes.txt'), 'not served');
  await writeFile(join(dir, '.hidden.html'), 'hidden');
  await writeFile(join(dir, '%2e%2e.js'), 'a file literally named so');
  // Outside the directory: what every escape below aims at.
  await writeFile(join(root, 'secret.html'), 'SECRET');
  await mkdir(join(root, 'outside'));
  await writeFile(join(root, 'outside', 'secret.html'), 'SECRET');
  await symlink(join(root, 'secret.html'), join(dir, 'escape.html'));
  await symlink(join(root, 'outside'), join(dir, 'linked'));
  await symlink(join(dir, 'index.html'), join(dir, 'alias.html'));
  [server, port] = await serve(dir);
});

afterAll(async () => {
  await new Promise(resolve => server?.close(resolve));
});

describe('console static files - what is served', () => {
  it('GET /console/ is index.html, not cached without revalidation, with the security headers', async () => {
    const a = await raw('/console/');
    expect(a.status).toBe(200);
    expect(a.body).toContain('<title>console</title>');
    expect(a.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
    });
    const csp = String(a.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("img-src 'self' data:");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect((await raw('/console/index.html')).body).toBe(a.body);
  });

  it('/console redirects to /console/', async () => {
    const a = await raw('/console');
    expect(a.status).toBe(301);
    expect(a.headers.location).toBe('/console/');
  });

  it.each([
    ['/console/assets/app.js', 'text/javascript; charset=utf-8'],
    ['/console/assets/app.js.map', 'application/json; charset=utf-8'],
    ['/console/assets/style.css', 'text/css; charset=utf-8'],
    ['/console/logo.svg', 'image/svg+xml'],
    ['/console/logo.png', 'image/png'],
    ['/console/data.json', 'application/json; charset=utf-8'],
    ['/console/assets%2Fapp.js', 'text/javascript; charset=utf-8'],
    // Decoded once: the file literally named `%2e%2e.js`, not a way up.
    ['/console/%252e%252e.js', 'text/javascript; charset=utf-8'],
  ])('%s is served as %s', async (path, type) => {
    const a = await raw(path);
    expect(a.status).toBe(200);
    expect(a.headers['content-type']).toBe(type);
    expect(a.headers['x-content-type-options']).toBe('nosniff');
  });

  it('a symlink inside the directory to a file inside it is served', async () => {
    const a = await raw('/console/alias.html');
    expect(a.status).toBe(200);
    expect(a.body).toContain('console');
  });

  it('HEAD answers the headers without the body; If-None-Match is 304', async () => {
    const head = await raw('/console/assets/app.js', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-length']).toBe(String('console.log(1)'.length));
    const again = await raw('/console/assets/app.js', 'GET', {
      'if-none-match': String(head.headers.etag),
    });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
  });

  it('other methods are 405 with Allow', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const a = await raw('/console/index.html', method);
      expect(a.status).toBe(405);
      expect(a.headers.allow).toBe('GET, HEAD');
    }
  });

  it('leaves the API and other paths alone', async () => {
    expect((await raw('/console/api/fleet')).headers['x-fallback']).toBe('1');
    expect((await raw('/consoles/index.html')).headers['x-fallback']).toBe('1');
  });
});

describe('console static files - hostile paths', () => {
  it.each([
    '/console/../secret.html',
    '/console/assets/../../secret.html',
    '/console/%2e%2e',
    '/console/%2e%2e/secret.html',
    '/console/%2E%2E/secret.html',
    '/console/%2e%2e%2fsecret.html',
    '/console/..%2fsecret.html',
    '/console/..%2Fsecret.html',
    '/console/assets/..%2f..%2fsecret.html',
    '/console/.%2e/secret.html',
    '/console/%252e%252e/secret.html',
    '/console/..%5csecret.html',
    '/console/assets%5c..%5c..%5csecret.html',
    '/console/%2fetc%2fpasswd.html',
    '/console//etc/passwd.html',
    '/console/index.html%00.png',
    '/console/.hidden.html',
    '/console/./index.html',
    '/console/escape.html',
    '/console/linked/secret.html',
    '/console/folder.js',
    '/console/assets/',
    '/console/notes.txt',
    '/console/missing.js',
  ])('%s is 404 and leaks nothing', async path => {
    const a = await raw(path);
    expect(a.status).toBe(404);
    expect(a.body).not.toContain('SECRET');
    expect(JSON.parse(a.body)).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(a.headers['x-content-type-options']).toBe('nosniff');
  });

  it('a malformed escape is 400', async () => {
    for (const path of ['/console/%E0%A4%A', '/console/%zz.js', '/console/%']) {
      const a = await raw(path);
      expect(a.status).toBe(400);
      expect(JSON.parse(a.body)).toMatchObject({ error: { code: 'BAD_PATH' } });
    }
  });

  it('assetPath decodes once and refuses dot segments, empty segments, backslashes and NULs', () => {
    expect(assetPath('')).toMatchObject({ ok: true, segments: ['index.html'] });
    expect(assetPath('assets/app.js')).toMatchObject({ ok: true, segments: ['assets', 'app.js'] });
    expect(assetPath('%252e%252e%2fx.js')).toMatchObject({
      ok: true,
      segments: ['%2e%2e', 'x.js'],
    });
    for (const bad of ['..%2fx.js', '%2e%2e/x.js', 'a//b.js', 'a/./b.js', 'a%5cb.js', 'a%00.js'])
      expect(assetPath(bad)).toMatchObject({ ok: false, status: 404 });
    expect(assetPath('%E0%A4%A')).toMatchObject({ ok: false, status: 400 });
  });

  it('contentTypeOf knows only the console types (case-insensitive), nothing inherited', () => {
    expect(contentTypeOf('a.HTML')).toBe('text/html; charset=utf-8');
    expect(contentTypeOf('a.mjs')).toBeUndefined();
    expect(contentTypeOf('a.exe')).toBeUndefined();
    expect(contentTypeOf('constructor')).toBeUndefined();
    expect(contentTypeOf('a.constructor')).toBeUndefined();
    expect(contentTypeOf('a.__proto__')).toBeUndefined();
  });
});

describe('console static files - not built', () => {
  it('answers 404 CONSOLE_NOT_BUILT with a clear message', async () => {
    const [s, p] = await serve(join(root, 'no-such-dir'));
    try {
      for (const path of ['/console/', '/console/assets/app.js']) {
        const a = await raw(path, 'GET', {}, p);
        expect(a.status).toBe(404);
        const body = JSON.parse(a.body) as { error: { code: string; message: string } };
        expect(body.error.code).toBe('CONSOLE_NOT_BUILT');
        expect(body.error.message).toMatch(/not built/);
      }
    } finally {
      await new Promise(resolve => s.close(resolve));
    }
  });
});
