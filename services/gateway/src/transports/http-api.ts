/**
 * The HTTP API (reference §3.1), with go-cqhttp's order of checks:
 *
 * 1. only GET and POST (anything else: 404, empty body);
 * 2. a JSON body that cannot be parsed: 400, before authentication (as go-cqhttp);
 * 3. the access token: missing 401, wrong 403;
 * 4. the action: `POST /` with `{action, params}`, or `/:action` (a trailing slash is accepted);
 *    parameters from the JSON body, then the form, then the query, where form and query values
 *    that look like JSON (`[...]`, `{...}`) and parse are JSON;
 * 5. always HTTP 200 with the envelope; an unknown action is retcode 404 in the body.
 *
 * Every path may start with `/{self_id}` to address one account (ARCHITECTURE).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type ActionResponse, serialize, toFailure } from '@cqfleet/onebot';
import type { Logger } from '@cqfleet/runtime';
import type { AccountDirectory } from '../accounts/directory.js';
import type { TokenTable } from '../auth/tokens.js';
import type { Settings } from '../config.js';
import type { ActionRouter } from '../routing/router.js';
import { pickAccount, splitAccountPrefix } from './target.js';
import { TokenBucket } from './token-bucket.js';

const MAX_BODY = 64 * 1024 * 1024;

class HttpError extends Error {
  constructor(readonly status: number) {
    super(String(status));
  }
}

/** Form and query values: JSON when they look like JSON and parse, text otherwise. */
function decodeValue(value: string): unknown {
  const t = value.trimStart();
  if (t.startsWith('[') || t.startsWith('{')) {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  return value;
}

function fromSearch(search: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of search) if (!(k in out)) out[k] = decodeValue(v);
  return out;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        req.destroy();
        reject(new HttpError(413));
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

interface ParsedBody {
  json?: Record<string, unknown>;
  form?: Record<string, unknown>;
}

async function parseBody(req: IncomingMessage): Promise<ParsedBody> {
  if (req.method !== 'POST') return {};
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  const body = await readBody(req);
  if (type.includes('application/json')) {
    if (body.length === 0) return { json: {} };
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch {
      throw new HttpError(400);
    }
    return {
      json:
        typeof value === 'object' && value !== null && !Array.isArray(value)
          ? (value as Record<string, unknown>)
          : {},
    };
  }
  if (type.includes('application/x-www-form-urlencoded'))
    return { form: fromSearch(new URLSearchParams(body.toString('utf8'))) };
  return {};
}

export interface HttpApiDeps {
  router: ActionRouter;
  directory: AccountDirectory;
  tokens: TokenTable;
  /** The `http` settings of the config file with the gateway defaults filled in. */
  settings: Settings;
  log: Logger;
}

export function createHttpApi(deps: HttpApiDeps): Server {
  const { router, directory, tokens, settings, log } = deps;
  // One rate-limit bucket for the whole HTTP server (go-cqhttp).
  const limiter = new TokenBucket(settings.rateLimit);
  const respond = (res: ServerResponse, response: ActionResponse) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(serialize(response));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'POST') throw new HttpError(404);
    const url = new URL(req.url ?? '/', 'http://gateway');
    const body = await parseBody(req);
    const auth = tokens.authenticate(req.headers, url.searchParams);
    if (!auth.ok) throw new HttpError(auth.status);

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

  return createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return;
      if (err instanceof HttpError) {
        res.writeHead(err.status);
        res.end();
        return;
      }
      log.error({ err }, 'http api request failed');
      respond(res, toFailure(err));
    });
  });
}
