/**
 * The built console (`CONSOLE_ASSETS_DIR` of @cqfleet/console) on the admin port:
 * `GET /console/` is its index.html, `GET /console/<asset>` its files; `/console` redirects to
 * `/console/`. No token: the files are the same for everyone, and the page asks for the admin
 * token itself (its API, console-api.ts, is what needs it).
 *
 * Hostile by default:
 * - GET and HEAD only (405 otherwise);
 * - the path is percent-decoded once (a malformed escape is 400); a decoded name with a NUL,
 *   a backslash, an empty segment or a segment beginning with `.` (`..`, `.`, dot files) is
 *   404, so `%2e%2e/` and `..%2f` reach nothing;
 * - the file's real path (symlinks resolved) must lie inside the directory's real path, it is
 *   opened without following a symlink, and it must be a regular file: a link out of the
 *   directory is 404 like a missing file;
 * - only known types are served (html, js, css, svg, png, json, map; 404 otherwise), with
 *   `x-content-type-options: nosniff`, a strict content security policy (the page's own
 *   scripts, styles, images and API only; no framing), and `cache-control: no-cache` (assets
 *   are revalidated by ETag, so a rebuilt console is seen at the next load);
 * - errors are JSON `{error: {code, message}}`; a console that was never built is a 404 that
 *   says so (CONSOLE_NOT_BUILT).
 */
import { constants, type Stats } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import type { AdminRoute } from '../admin/json-api.js';
import { insideDir } from '../config.js';
import { CONSOLE_API_PREFIX } from './console-api.js';

export const CONSOLE_PREFIX = '/console';

/** Larger files are not served (the console's bundle is a fraction of this). */
const MAX_ASSET_BYTES = 16 * 1024 * 1024;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** The content type a console file is served with, or undefined when it is not served. */
export function contentTypeOf(name: string): string | undefined {
  return Object.hasOwn(TYPES, extname(name).toLowerCase())
    ? TYPES[extname(name).toLowerCase()]
    : undefined;
}

/** What the page may load: itself, its styles, its images (and data: ones), its API. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** On every answer of this route, files and errors alike. */
const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

export type AssetPath =
  | { ok: true; segments: string[]; type: string }
  | { ok: false; status: 400 | 404; code: string; message: string };

/**
 * The path below `/console/` (still percent-encoded) as the segments of a file the console
 * may serve, or why not. Pure: the file system is checked by {@link serveAsset}.
 */
export function assetPath(encoded: string): AssetPath {
  let name: string;
  try {
    name = decodeURIComponent(encoded === '' ? 'index.html' : encoded);
  } catch {
    return { ok: false, status: 400, code: 'BAD_PATH', message: 'malformed percent-escape' };
  }
  const segments = name.split('/');
  const bad =
    name.includes('\0') || name.includes('\\') || segments.some(s => s === '' || s.startsWith('.'));
  const type = contentTypeOf(name);
  if (bad || !type)
    return { ok: false, status: 404, code: 'NOT_FOUND', message: 'no such console file' };
  return { ok: true, segments, type };
}

const sendError = (res: ServerResponse, status: number, code: string, message: string) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...SECURITY_HEADERS });
  res.end(JSON.stringify({ error: { code, message } }));
};

const notFound = (res: ServerResponse) => sendError(res, 404, 'NOT_FOUND', 'no such console file');

/** Serves one file of `dir` (whose real path is `root`), or 404 when it may not be served. */
async function serveAsset(
  req: IncomingMessage,
  res: ServerResponse,
  root: string,
  asset: { segments: string[]; type: string },
): Promise<void> {
  let real: string;
  try {
    real = await realpath(join(root, ...asset.segments));
  } catch {
    return notFound(res);
  }
  // A symlink (of the file or of a directory on its way) may not lead out of the directory.
  if (!insideDir(root, real)) return notFound(res);
  let file;
  try {
    file = await open(real, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch {
    return notFound(res);
  }
  try {
    const info: Stats = await file.stat();
    if (!info.isFile() || info.size > MAX_ASSET_BYTES) return notFound(res);
    const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
    const headers = {
      'content-type': asset.type,
      'cache-control': 'no-cache',
      etag,
      ...SECURITY_HEADERS,
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      return void res.end();
    }
    const body = req.method === 'HEAD' ? undefined : await file.readFile();
    res.writeHead(200, { ...headers, 'content-length': String(info.size) });
    res.end(body);
  } finally {
    await file.close();
  }
}

/** The console's files from `dir` (see the contract above); false for other paths. */
export function consoleStatic(dir: string): AdminRoute {
  return async (req, res, path) => {
    if (path !== CONSOLE_PREFIX && !path.startsWith(`${CONSOLE_PREFIX}/`)) return false;
    if (path === CONSOLE_API_PREFIX || path.startsWith(`${CONSOLE_API_PREFIX}/`)) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      sendError(res, 405, 'METHOD', 'GET or HEAD');
      return true;
    }
    if (path === CONSOLE_PREFIX) {
      res.writeHead(301, { location: `${CONSOLE_PREFIX}/`, ...SECURITY_HEADERS });
      res.end();
      return true;
    }
    let root: string;
    try {
      root = await realpath(dir);
      if (!(await stat(root)).isDirectory()) throw new Error('not a directory');
    } catch {
      sendError(
        res,
        404,
        'CONSOLE_NOT_BUILT',
        `the console is not built (no ${dir}): run \`npm run build\``,
      );
      return true;
    }
    const asset = assetPath(path.slice(CONSOLE_PREFIX.length + 1));
    if (!asset.ok) sendError(res, asset.status, asset.code, asset.message);
    else await serveAsset(req, res, root, asset);
    return true;
  };
}
