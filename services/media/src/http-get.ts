/**
 * One guarded HTTP GET: http(s) only, every hop (redirects included) through the address guard,
 * with a response timeout, a redirect limit and the download's abort signal (its deadline).
 * Failures are OneBot failures of downloads.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { OneBotError } from '@cqfleet/onebot';
import { type AddressGuard, ForbiddenAddressError } from './address-guard.js';
import { Refusal } from './refusals.js';

export interface GetOptions {
  headers: Record<string, string>;
  guard: AddressGuard;
  idleTimeoutMs: number;
  maxRedirects: number;
  /** Aborts the request (and its response) when the download ends: deadline or failure. */
  signal: AbortSignal;
}

/**
 * Nothing arrived for the idle timeout. Not a OneBot failure while a download may still
 * resume a part after it; it becomes `DOWNLOAD_TIMEOUT` when the download gives up.
 */
export class IdleTimeout extends Error {
  override readonly name = 'IdleTimeout';
  constructor(readonly ms: number) {
    super(`no data for ${ms} ms`);
  }
}

/** Parses and checks a URL a download may fetch. */
export function downloadUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OneBotError('DOWNLOAD_FILE_ERROR', `无效的链接: ${raw.slice(0, 200)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new OneBotError('DOWNLOAD_FILE_ERROR', '只支持 http 与 https 链接');
  return url;
}

/** Node skips `lookup` for IP-literal hosts, so those are checked here. */
function assertLiteralAllowed(url: URL, guard: AddressGuard): void {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && !guard.permits(host, host))
    throw new OneBotError('FORBIDDEN_ADDRESS', `不允许访问 ${host}`);
}

function once(url: URL, o: GetOptions): Promise<IncomingMessage> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const onTimeout = () => req.destroy(new IdleTimeout(o.idleTimeoutMs));
    const req = request(
      url,
      {
        headers: o.headers,
        lookup: o.guard.lookupFor(url.hostname),
        timeout: o.idleTimeoutMs,
        signal: o.signal,
      },
      res => {
        // From here the reader of the body watches idleness (writeAt), so that its failure is
        // the IdleTimeout itself rather than the generic "aborted" a destroyed request gives.
        req.off('timeout', onTimeout);
        resolve(res);
      },
    );
    req.on('timeout', onTimeout);
    req.on('error', reject);
    req.end();
  });
}

/** GETs `url`, following redirects; resolves with the final response and URL. */
export async function guardedGet(
  start: URL,
  o: GetOptions,
): Promise<{ res: IncomingMessage; url: URL }> {
  let url = start;
  for (let hops = 0; ; hops++) {
    assertLiteralAllowed(url, o.guard);
    const res = await once(url, o).catch((err: unknown) => {
      throw asDownloadError(err);
    });
    const location = res.headers.location;
    if (!res.statusCode || res.statusCode < 300 || res.statusCode >= 400 || !location)
      return { res, url };
    // Not read: a redirect's body could be endless.
    res.destroy();
    if (hops >= o.maxRedirects)
      throw new OneBotError('DOWNLOAD_FILE_ERROR', `重定向超过 ${o.maxRedirects} 次`);
    url = new URL(location, url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new OneBotError('DOWNLOAD_FILE_ERROR', '重定向到了不支持的协议');
  }
}

/** Any error of a download as the OneBot failure a client sees. */
export function asDownloadError(err: unknown): OneBotError {
  if (err instanceof OneBotError) return err;
  if (err instanceof IdleTimeout)
    return new Refusal(
      'download_idle',
      'DOWNLOAD_TIMEOUT',
      `下载超时: ${err.ms} ms 内没有收到数据`,
    );
  if (
    err instanceof ForbiddenAddressError ||
    (err as { cause?: unknown } | undefined)?.cause instanceof ForbiddenAddressError
  )
    return new OneBotError('FORBIDDEN_ADDRESS', (err as Error).message);
  return new OneBotError(
    'DOWNLOAD_FILE_ERROR',
    `下载失败: ${(err as Error)?.message ?? String(err)}`,
  );
}
