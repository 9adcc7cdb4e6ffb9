/**
 * What every JSON API on the gateway's admin port shares (the accounts admin API, the
 * console's API): the operator's bearer token, bounded JSON bodies, and one error shape.
 *
 * Contract, for every route behind {@link adminJsonRoute}:
 * - no GATEWAY_ADMIN_TOKEN configured: 403 `ADMIN_DISABLED` (the API is off, not open);
 * - no `Authorization` header: 401 `UNAUTHORIZED`; a wrong one: 403 `UNAUTHORIZED`;
 * - a body over 1 MiB: 413 `TOO_LARGE` (declared or while it streams; the connection is then
 *   closed, the rest is never read); a body that is not JSON: 400 `BAD_JSON`;
 * - answers are JSON; errors are `{error: {code, message}}` with a 4xx status, 500 `INTERNAL`
 *   for anything unexpected (logged, never shown).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@cqfleet/runtime';
import { sameSecret } from '../auth/tokens.js';

/** Largest JSON body an admin route reads. */
export const ADMIN_MAX_BODY_BYTES = 1024 * 1024;

/** A refusal with its status and code, answered as `{error: {code, message}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * On every JSON answer of the admin port: never cached (account records carry upstream tokens
 * and HTTP POST secrets), never sniffed as another type, never framed or run as a page.
 */
export const API_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
};

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    ...API_HEADERS,
    ...headers,
  });
  res.end(JSON.stringify(body));
}

/** The request's JSON body (`{}` when empty), at most `maxBytes` of it. */
export async function readJson(
  req: IncomingMessage,
  maxBytes = ADMIN_MAX_BODY_BYTES,
): Promise<unknown> {
  const tooLarge = () => new ApiError(413, 'TOO_LARGE', `body over ${maxBytes} bytes`);
  // A declared length over the cap is refused before anything is read.
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new ApiError(400, 'BAD_JSON', 'the body is not JSON');
  }
}

/** Throws unless the request carries `Authorization: Bearer <token>` (see the contract above). */
export function requireAdminToken(req: IncomingMessage, token: string): void {
  if (!token) throw new ApiError(403, 'ADMIN_DISABLED', 'set GATEWAY_ADMIN_TOKEN');
  const auth = req.headers.authorization ?? '';
  if (!sameSecret(auth, `Bearer ${token}`))
    throw new ApiError(auth ? 403 : 401, 'UNAUTHORIZED', 'a valid admin token is needed');
}

/** An admin route: true when it answered the request (the runtime's `AdminProbe.routes`). */
export type AdminRoute = (
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
) => Promise<boolean>;

export interface JsonRouteOptions {
  /** Paths this route answers: `path === prefix` or `path` below `prefix/`. */
  prefix: string;
  /** The admin token (empty: every request is refused with 403). */
  token: string;
  log: Logger;
  /** What the route answers: a status and a JSON body, or an ApiError thrown. */
  handle(req: IncomingMessage, path: string): Promise<[number, unknown]>;
}

/** An authenticated JSON route under `prefix`, with the errors of the contract above. */
export function adminJsonRoute(opts: JsonRouteOptions): AdminRoute {
  return async (req, res, path) => {
    if (path !== opts.prefix && !path.startsWith(`${opts.prefix}/`)) return false;
    try {
      requireAdminToken(req, opts.token);
      const [status, body] = await opts.handle(req, path);
      sendJson(res, status, body);
    } catch (err) {
      if (res.headersSent) {
        // Nothing more can be said: the answer was under way.
        opts.log.error({ err }, 'admin API failed while answering');
        res.destroy();
      } else if (err instanceof ApiError)
        sendJson(
          res,
          err.status,
          { error: { code: err.code, message: err.message } },
          // An unread body is not read to its end: the connection goes with the answer.
          err.status === 413 ? { connection: 'close' } : {},
        );
      else {
        opts.log.error({ err }, 'admin API failed');
        sendJson(res, 500, { error: { code: 'INTERNAL', message: 'internal error' } });
      }
    }
    return true;
  };
}

/** The first of `routes` that answers the request. */
export function firstRoute(routes: readonly AdminRoute[]): AdminRoute {
  return async (req, res, path) => {
    for (const route of routes) if (await route(req, res, path)) return true;
    return false;
  };
}
