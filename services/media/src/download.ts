/**
 * `download_file` (seed 下载文件到缓存目录): fetch a URL into the shared cache as
 * `<cache>/<md5(url)>.cache` and return its absolute path.
 *
 * - http(s) only; every hop, redirects included, passes the address guard;
 * - `headers` in both seed forms: one string of `K=V` lines separated by `\r\n`, or an array
 *   of `K=V` strings (note `=`, not `:`);
 * - the body is written to a temporary file and renamed into place when complete, so a partial
 *   download is never visible as a finished file;
 * - a size cap, an idle timeout and a redirect limit.
 * Parallel ranged downloads (`thread_count`) come with the media issue; this fetches one stream.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { OneBotError } from '@cqfleet/onebot';
import { type AddressGuard, ForbiddenAddressError } from './address-guard.js';

export interface DownloadLimits {
  cacheDir: string;
  maxBytes: number;
  idleTimeoutMs: number;
  maxRedirects: number;
}

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

/** Node skips `lookup` for IP-literal hosts, so those are checked here. */
function assertLiteralAllowed(url: URL, guard: AddressGuard): void {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && !guard.permits(host, host))
    throw new OneBotError('FORBIDDEN_ADDRESS', `不允许访问 ${host}`);
}

function get(
  url: URL,
  headers: Record<string, string>,
  guard: AddressGuard,
  idleMs: number,
): Promise<IncomingMessage> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { headers, lookup: guard.lookupFor(url.hostname), timeout: idleMs },
      resolve,
    );
    req.on('timeout', () => req.destroy(new Error(`no response within ${idleMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** `download_file`: the URL into `<cache>/<md5(url)>.cache`. */
export function downloadFile(
  rawUrl: string,
  rawHeaders: unknown,
  guard: AddressGuard,
  limits: DownloadLimits,
): Promise<string> {
  return downloadTo(rawUrl, rawHeaders, guard, limits, cachePath(limits.cacheDir, rawUrl));
}

/** Downloads a URL to `target` (inside the cache), written whole or not at all. */
export async function downloadTo(
  rawUrl: string,
  rawHeaders: unknown,
  guard: AddressGuard,
  limits: DownloadLimits,
  target: string,
): Promise<string> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new OneBotError('DOWNLOAD_FILE_ERROR', `无效的链接: ${rawUrl}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new OneBotError('DOWNLOAD_FILE_ERROR', '只支持 http 与 https 链接');
  assertLiteralAllowed(url, guard);
  const headers = parseHeaders(rawHeaders);
  await mkdir(limits.cacheDir, { recursive: true });
  const temp = join(limits.cacheDir, `.${randomBytes(8).toString('hex')}.part`);

  try {
    let res: IncomingMessage;
    for (let hops = 0; ; hops++) {
      res = await get(url, headers, guard, limits.idleTimeoutMs);
      const location = res.headers.location;
      if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && location) {
        res.resume();
        if (hops >= limits.maxRedirects)
          throw new OneBotError('DOWNLOAD_FILE_ERROR', `重定向超过 ${limits.maxRedirects} 次`);
        url = new URL(location, url);
        if (url.protocol !== 'http:' && url.protocol !== 'https:')
          throw new OneBotError('DOWNLOAD_FILE_ERROR', '重定向到了不支持的协议');
        assertLiteralAllowed(url, guard);
        continue;
      }
      break;
    }
    if (res.statusCode !== 200) {
      res.resume();
      throw new OneBotError('DOWNLOAD_FILE_ERROR', `服务器返回 ${res.statusCode}`);
    }
    const declared = Number(res.headers['content-length'] ?? NaN);
    if (declared > limits.maxBytes) {
      res.resume();
      throw new OneBotError(
        'DOWNLOAD_FILE_ERROR',
        `文件大小 ${declared} 超过上限 ${limits.maxBytes}`,
      );
    }
    let received = 0;
    res.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > limits.maxBytes)
        res.destroy(new OneBotError('DOWNLOAD_FILE_ERROR', `文件超过上限 ${limits.maxBytes}`));
    });
    res.setTimeout(limits.idleTimeoutMs, () =>
      res.destroy(new Error(`no data for ${limits.idleTimeoutMs} ms`)),
    );
    await pipeline(res, createWriteStream(temp));
    await rename(temp, target);
    return target;
  } catch (err) {
    await rm(temp, { force: true });
    if (err instanceof OneBotError) throw err;
    if (
      err instanceof ForbiddenAddressError ||
      (err as { cause?: unknown }).cause instanceof ForbiddenAddressError
    )
      throw new OneBotError('FORBIDDEN_ADDRESS', (err as Error).message);
    throw new OneBotError('DOWNLOAD_FILE_ERROR', `下载失败: ${(err as Error).message}`);
  }
}
