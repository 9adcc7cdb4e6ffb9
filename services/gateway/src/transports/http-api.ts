/**
 * The HTTP API (reference §3.1), with go-cqhttp's order of checks except that the token comes
 * before the body (issue 15: an unauthenticated client costs bounded memory and time):
 *
 * 1. only GET and POST (anything else: 404, empty body);
 * 2. the access token, from the headers or the query: missing 401 `TOKEN_MISSING`, wrong 403
 *    `TOKEN_INVALID`, each with the failure envelope; the body is never read and the
 *    connection is closed;
 * 3. the account's turn (account-limits.ts): at most GATEWAY_HTTP_MAX_IN_FLIGHT unfinished
 *    requests per account and its own rate-limit bucket with at most
 *    GATEWAY_HTTP_RATE_LIMIT_QUEUE waiting, past either `RATE_LIMIT_QUEUE_FULL` at once; taken
 *    before the body when the path or X-Self-ID names the account, after it otherwise (a
 *    `self_id` in the body may name it). Time spent waiting before the body is read counts
 *    against GATEWAY_HTTP_REQUEST_TIMEOUT_MS;
 * 4. the body, at most GATEWAY_MAX_BODY_BYTES (413 `REQUEST_TOO_LARGE`, http-body.ts), and
 *    at most GATEWAY_HTTP_BODY_BYTES_PER_TOKEN of all the token's bodies being read (429
 *    `RATE_LIMIT_QUEUE_FULL`); a JSON body that cannot be parsed: 400, empty (go-cqhttp);
 * 5. the action: `POST /` with `{action, params}`, or `/:action` (a trailing slash is accepted);
 *    parameters from the JSON body, then the form, then the query, where form and query values
 *    that look like JSON (`[...]`, `{...}`) and parse are JSON;
 * 6. always HTTP 200 with the envelope; an unknown action is retcode 404 in the body.
 *
 * Every path may start with `/{self_id}` to address one account (ARCHITECTURE). Headers must
 * arrive within GATEWAY_HTTP_HEADERS_TIMEOUT_MS and the whole request within
 * GATEWAY_HTTP_REQUEST_TIMEOUT_MS (408 and closed otherwise; http-server.ts).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { type ActionResponse, failedTag, serialize, toFailure } from '@cqfleet/onebot';
import { Budget, type Logger } from '@cqfleet/runtime';
import type { AccountLookup } from '../accounts/directory.js';
import type { TokenTable } from '../auth/tokens.js';
import type { Settings } from '../config.js';
import { authRefusal, countRefusal, refusalBody } from '../refusals.js';
import type { ActionCalls } from '../routing/router.js';
import { fromSearch, HttpRefusal, parseBody } from './http-body.js';
import { AccountLimits } from './account-limits.js';
import { createBoundedServer, type HttpLimits } from './http-server.js';
import { namedBeforeBody, pickAccount, splitAccountPrefix } from './target.js';

export interface HttpApiDeps {
  router: ActionCalls;
  directory: AccountLookup;
  tokens: TokenTable;
  /** The `http` settings of the config file with the gateway defaults filled in. */
  settings: Settings;
  limits: HttpLimits & {
    maxBodyBytes: number;
    /** GATEWAY_HTTP_MAX_IN_FLIGHT: unfinished requests per account (account-limits.ts). */
    maxInFlight: number;
    /** GATEWAY_HTTP_RATE_LIMIT_QUEUE: requests per account waiting for a token. */
    rateLimitQueue: number;
    /** GATEWAY_HTTP_BODY_BYTES_PER_TOKEN: bytes of one token's bodies being read at once. */
    bodyBytesPerToken: number;
  };
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
  const accounts = new AccountLimits({
    rate: settings.rateLimit,
    maxWaiters: limits.rateLimitQueue,
    maxInFlight: limits.maxInFlight,
  });
  const bodies = new Budget<object>(limits.bodyBytesPerToken);
  const respond = (req: IncomingMessage, res: ServerResponse, response: ActionResponse) => {
    // Answered before the body was read (a refusal): the connection closes rather than the
    // rest of the body being read and thrown away.
    const text = serialize(response);
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      ...(req.complete ? {} : { connection: 'close' }),
    });
    res.end(text);
  };

  /**
   * The account's turn: an in-flight slot, then a rate-limit token. The function that ends the
   * slot, or undefined when refused (answered) or when the client went away meanwhile.
   */
  const admit = async (
    selfId: number,
    req: IncomingMessage,
    res: ServerResponse,
    signal: AbortSignal,
  ): Promise<(() => void) | undefined> => {
    const release = accounts.enter(selfId);
    if (!release) {
      countRefusal('too_many_in_flight');
      respond(
        req,
        res,
        failedTag(
          'RATE_LIMIT_QUEUE_FULL',
          `账号 ${selfId} 未完成的 HTTP 请求已达上限 (${limits.maxInFlight}), 请稍后再试`,
        ),
      );
      return undefined;
    }
    if (await accounts.bucket(selfId).take(signal)) return release;
    release();
    if (signal.aborted) return undefined;
    countRefusal('http_rate_limit_full');
    respond(
      req,
      res,
      failedTag(
        'RATE_LIMIT_QUEUE_FULL',
        `账号 ${selfId} 的限速队列已满 (${limits.rateLimitQueue}), 请稍后再试`,
      ),
    );
    return undefined;
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
    // The client went away (request closed before its answer): a request waiting for a token
    // leaves the queue, a long poll stops waiting.
    const gone = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) gone.abort();
    });
    const { selfId: pathSelfId, rest } = splitAccountPrefix(url.pathname);
    const header = req.headers['x-self-id'];
    let selfId: number | undefined;
    let release: (() => void) | undefined;
    try {
      // A path prefix or X-Self-ID wins over any self_id parameter: the account is known
      // before the body, which is then read only once the request has its turn (a waiting
      // request holds its socket, not its body). Otherwise the body may name the account.
      if (namedBeforeBody(pathSelfId, header)) {
        try {
          selfId = pickAccount(directory, auth.grant, pathSelfId, header, undefined);
        } catch (err) {
          return respond(req, res, toFailure(err));
        }
        release = await admit(selfId, req, res, gone.signal);
        if (!release) return;
      }
      const body = await parseBody(req, limits.maxBodyBytes, {
        budget: bodies,
        key: auth.grant,
      });

      const query = fromSearch(url.searchParams);
      // The token is the request's credential, not a parameter: an action this gateway does not
      // know is handed to an upstream implementation with its parameters as they came.
      delete query.access_token;
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

      if (selfId === undefined) {
        try {
          selfId = pickAccount(
            directory,
            auth.grant,
            pathSelfId,
            header,
            params.self_id ?? query.self_id,
          );
        } catch (err) {
          return respond(req, res, toFailure(err));
        }
        release = await admit(selfId, req, res, gone.signal);
        if (!release) return;
      }
      // An `_async` call's work runs on after its answer: the slot is held until it is done.
      let background: Promise<void> | undefined;
      respond(
        req,
        res,
        await router.call(action, params, {
          selfId,
          format: settings.messageFormat,
          grant: auth.grant,
          signal: gone.signal,
          background: work => {
            background = work;
          },
        }),
      );
      await background;
    } finally {
      release?.();
    }
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
      respond(req, res, toFailure(err));
    });
  });
}
