/**
 * Access tokens, as go-cqhttp reads them (reference §3.1): the `Authorization` header with any
 * scheme word (`Bearer x`, `Token x`: whatever follows the first space; the whole header when
 * there is no space), else the `access_token` query parameter. Missing → 401, wrong → 403.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export type AuthResult = { ok: true } | { ok: false; status: 401 | 403 };

export function tokenFrom(headers: IncomingHttpHeaders, query: URLSearchParams): string {
  const header = headers.authorization;
  if (header !== undefined) {
    const space = header.indexOf(' ');
    return (space >= 0 ? header.slice(space + 1) : header).trim();
  }
  return query.get('access_token') ?? '';
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function authenticate(
  expected: string,
  headers: IncomingHttpHeaders,
  query: URLSearchParams,
): AuthResult {
  if (expected === '') return { ok: true };
  const token = tokenFrom(headers, query);
  if (token === '') return { ok: false, status: 401 };
  return equal(token, expected) ? { ok: true } : { ok: false, status: 403 };
}
