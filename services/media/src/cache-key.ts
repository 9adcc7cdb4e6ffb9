/**
 * Names of downloads in the shared cache.
 *
 * A download without request headers is `<md5(url)>.cache`, go-cqhttp's name, so a
 * `download_file` result can be sent and an image sent by URL is fetched once. Request headers
 * (a cookie, a token, a Referer, an Accept…) may change what a server answers, so a download
 * made with headers is cached under a name of its own, `<md5(url)>-<digest of the headers>.cache`:
 * what was fetched with one tenant's credentials is never served to a request made without
 * them or with others. Every header counts (any of them may change the answer, `Vary` says so),
 * compared by lower-case name and trimmed value, in any order.
 *
 * Every name a send reads without being told a path (`<md5(url)>.cache` for an `http(s)://`
 * source, `<md5(bytes)>.<ext>` for `base64://`) is derived from what the sender gave: its URL,
 * or its bytes. Nothing an account or its QQ side *names* may land there. Received media, which
 * a session fetches by the name the QQ side gave it (`get_image`, `get_record`, `get_file`; an
 * upstream implementation may name anything, `<md5(some url)>.cache` included, with a URL of
 * its choosing), is kept as `r<self_id>-<sha256(url)>.<ext>` instead (`receivedPath`): the `r`
 * keeps it apart from every send-side name (those are hex up to the first dot or dash), the
 * account keeps one tenant's fetches from another's, and the name it was asked by gives only
 * the extension.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';

/** A header name as HTTP defines it (a token); lines with anything else are not sent. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * The headers a download sends, from the seed's two forms (`K=V` lines with `\r\n`, or an
 * array of `K=V`) or an object of names to values, names and values trimmed. Only string
 * values count (the action table refuses others; a job added without it has them skipped),
 * and what this answers is both what is sent and what names the download in the cache.
 */
export function parseHeaders(headers: unknown): Record<string, string> {
  const pairs: Array<[string, unknown]> = [];
  if (typeof headers === 'string' || Array.isArray(headers)) {
    const lines: unknown[] = typeof headers === 'string' ? headers.split(/\r?\n/) : headers;
    for (const line of lines) {
      if (typeof line !== 'string') continue;
      const eq = line.indexOf('=');
      if (eq > 0) pairs.push([line.slice(0, eq), line.slice(eq + 1)]);
    }
  } else if (headers && typeof headers === 'object') pairs.push(...Object.entries(headers));
  const out: Record<string, string> = {};
  for (const [name, value] of pairs) {
    const key = name.trim();
    if (typeof value === 'string' && HEADER_NAME.test(key)) out[key] = value.trim();
  }
  return out;
}

/** A digest of request headers, the same for the same headers in any order or case; '' for none. */
export function headersDigest(headers: Record<string, string>): string {
  const lines = Object.entries(headers)
    .map(([k, v]) => `${k.toLowerCase()}:${v.trim()}`)
    .sort();
  if (lines.length === 0) return '';
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 32);
}

/**
 * Where a download of `url` made with `headers` (any form parseHeaders reads) is cached:
 * `<md5(url)>.cache` without headers, `<md5(url)>-<digest>.cache` with them — the digest of
 * the headers that are sent, never of anything else the caller gave.
 */
export function cachePath(cacheDir: string, url: string, headers?: unknown): string {
  const digest = headersDigest(parseHeaders(headers));
  const name = createHash('md5').update(url).digest('hex');
  return join(cacheDir, digest ? `${name}-${digest}.cache` : `${name}.cache`);
}

/**
 * Where received media of account `selfId`, fetched from `url` by its received name
 * (`<md5>.<ext>`), is kept: `r<selfId>-<sha256(url), 32 hex>.<ext>`. The name's md5 is not
 * used: it is whatever the QQ side (or an upstream implementation) said, not the content's.
 */
export function receivedPath(cacheDir: string, selfId: number, url: string, name: string): string {
  const ext = /\.([a-z0-9]{2,8})$/.exec(name)?.[1] ?? 'bin';
  const digest = createHash('sha256').update(url).digest('hex').slice(0, 32);
  return join(cacheDir, `r${Math.trunc(selfId) || 0}-${digest}.${ext}`);
}
