/**
 * The HTTP API (reference §3.1), with go-cqhttp's order of checks except that the token comes
 * before the body (issue 15: an unauthenticated client costs bounded memory and time):
 *
 * 1. only GET and POST (anything else: 404, empty body);
 * 2. the access token, from the headers or the query: missing 401 `TOKEN_MISSING`, wrong 403
 *    `TOKEN_INVALID`, each with the failure envelope; the body is never read and the
 *    connection is closed;
 * 3. the body, at most GATEWAY_MAX_BODY_BYTES (413 `REQUEST_TOO_LARGE`, http-body.ts); a JSON
 *    body that cannot be parsed: 400, empty (go-cqhttp);
 * 4. the action: `POST /` with `{action, params}`, or `/:action` (a trailing slash is accepted);
 *    parameters from the JSON body, then the form, then the query, where form and query values
 *    that look like JSON (`[...]`, `{...}`) and parse are JSON;
 * 5. always HTTP 200 with the envelope; an unknown action is retcode 404 in the body.
 *
 * Every path may start with `/{self_id}` to address one account (ARCHITECTURE). Headers must
 * arrive within GATEWAY_HTTP_HEADERS_TIMEOUT_MS and the whole request within
 * GATEWAY_HTTP_REQUEST_TIMEOUT_MS (408 and closed otherwise; http-server.ts).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { type ActionResponse, serialize, toFailure } from '@cqfleet/onebot';
import type { Logger } from '@cqfleet/runtime';
import type { AccountLookup } from '../accounts/directory.js';
import type { TokenTable } from '../auth/tokens.js';
import type { Settings } from '../config.js';
import { authRefusal, countRefusal, refusalBody } from '../refusals.js';
import type { ActionCalls } from '../routing/router.js';
import { fromSearch, HttpRefusal, parseBody } from './http-body.js';
import { createBoundedServer, type HttpLimits } from './http-server.js';
import { pickAccount, splitAccountPrefix } from './target.js';
import { TokenBucket } from './token-bucket.js';

export interface HttpApiDeps {
  router: ActionCalls;
  directory: AccountLookup;
  tokens: TokenTable;
  /** The `http` settings of the config file with the gateway defaults filled in. */
  settings: Settings;
  limits: HttpLimits & { maxBodyBytes: number };
  log: Logger;
}

function requestUrl(req: IncomingMessage): URL {
  try {
    return new URL(req.url ?? '/', 'http://gateway');
  } catch {
    throw new HttpRefusal(400);
  }
}

export function createHttpApi(deps: HttpApiDeps): Server {
  const { router, directory, tokens, settings, limits, log } = deps;
  // One rate-limit bucket for the whole HTTP server (go-cqhttp).
  const limiter = new TokenBucket(settings.rateLimit);
  const respond = (res: ServerResponse, response: ActionResponse) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(serialize(response));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'POST') throw new HttpRefusal(404);
    const url = requestUrl(req);
    const auth = tokens.authenticate(req.headers, url.searchParams);
    if (!auth.ok) {
      const refusal = authRefusal(auth.status);
      countRefusal(refusal.reason);
      throw new HttpRefusal(refusal.status, refusalBody(refusal.tag));
    }
    const body = await parseBody(req, limits.maxBodyBytes);

    const query = fromSearch(url.searchParams);
    const { selfId: pathSelfId, rest } = splitAccountPrefix(url.pathname);
    let action: string;
    let params: Record<string, unknown>;
    if (rest === '/' || rest === '') {
      const source = body.json ?? body.form ?? query;
      action = typeof source.action === 'string' ? source.action : '';
      const p = source.params;
      params =
        typeof p === 'object' && p !== null && !Array.isArray(p)
          ? (p as Record<string, unknown>)
          : {};
    } else {
      action = rest.slice(1).replace(/\/$/, '');
      params = { ...query, ...body.form, ...body.json };
    }

    let selfId: number;
    try {
      selfId = pickAccount(
        directory,
        auth.grant,
        pathSelfId,
        req.headers['x-self-id'],
        params.self_id ?? query.self_id,
      );
    } catch (err) {
      return respond(res, toFailure(err));
    }
    await limiter.take();
    respond(
      res,
      await router.call(action, params, {
        selfId,
        format: settings.messageFormat,
        grant: auth.grant,
      }),
    );
  };

  return createBoundedServer(limits, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return;
      if (err instanceof HttpRefusal) {
        // Answered before the body was read (or while it was over the cap): the connection is
        // closed after the answer, so what the client still sends is never taken in.
        const read = req.complete;
        res.writeHead(err.status, {
          ...(err.body ? { 'content-type': 'application/json; charset=utf-8' } : {}),
          'content-length': Buffer.byteLength(err.body),
          ...(read ? {} : { connection: 'close' }),
        });
        res.end(err.body);
        return;
      }
      log.error({ err }, 'http api request failed');
      respond(res, toFailure(err));
    });
  });
}
