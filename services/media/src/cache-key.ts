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
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';

/** Parses the seed's two header forms (`K=V` lines with `\r\n`, or an array of `K=V`). */
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

/** A digest of request headers, the same for the same headers in any order or case; '' for none. */
export function headersDigest(headers: Record<string, string>): string {
  const lines = Object.entries(headers)
    .map(([k, v]) => `${k.toLowerCase()}:${v.trim()}`)
    .sort();
  if (lines.length === 0) return '';
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 32);
}

/**
 * Where a download of `url` made with `headers` (either seed form, or parsed) is cached:
 * `<md5(url)>.cache` without headers, `<md5(url)>-<digest>.cache` with them.
 */
export function cachePath(cacheDir: string, url: string, headers?: unknown): string {
  const parsed =
    headers && typeof headers === 'object' && !Array.isArray(headers)
      ? (headers as Record<string, string>)
      : parseHeaders(headers);
  const digest = headersDigest(parsed);
  const name = createHash('md5').update(url).digest('hex');
  return join(cacheDir, digest ? `${name}-${digest}.cache` : `${name}.cache`);
}
