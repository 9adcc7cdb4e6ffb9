/**
 * The control API's JSON routes (control-api.ts holds the table): a path pattern with
 * `{name}` parameters (digits, or an op name for `{op}`), a body read as one JSON object of at
 * most MAX_BODY bytes, and failures as `{ "error": { "code", "message" } }` — 404 for a code
 * ending in NOT_FOUND and for an unknown path, 405 for a known path with another method, 400
 * for any other refusal, 500 (without details) for a bug.
 */
import type { IncomingMessage } from 'node:http';
import { SimError } from '@cqfleet/sim-client';

export type Params = Record<string, string>;
export type Handler = (p: Params, body: Record<string, unknown>, query: URLSearchParams) => unknown;
export type Send = (status: number, body: unknown) => void;

export interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

/** The largest JSON body a route reads. */
const MAX_BODY = 16 * 1024 * 1024;

export function route(method: Route['method'], path: string, handler: Handler): Route {
  const keys: string[] = [];
  const pattern = new RegExp(
    '^' +
      path.replace(/\{(\w+)\}/g, (_m, k: string) => {
        keys.push(k);
        return k === 'op' ? '([a-z_]+)' : '(\\d+)';
      }) +
      '/?$',
  );
  return { method, pattern, keys, handler };
}

/** Runs the route `url` names and sends its answer, or the refusal. */
export function dispatch(routes: Route[], req: IncomingMessage, url: URL, send: Send): void {
  let matchedPath = false;
  for (const r of routes) {
    const m = r.pattern.exec(url.pathname);
    if (!m) continue;
    matchedPath = true;
    if (r.method !== req.method) continue;
    const params: Params = {};
    r.keys.forEach((k, i) => (params[k] = m[i + 1] ?? ''));
    readJson(req)
      .then(body => send(200, r.handler(params, body, url.searchParams)))
      .catch((err: unknown) => {
        if (err instanceof SimError) {
          const status = err.code.endsWith('NOT_FOUND') ? 404 : 400;
          send(status, { error: { code: err.code, message: err.message } });
        } else send(500, { error: { code: 'INTERNAL', message: 'internal error' } });
      });
    return;
  }
  send(matchedPath ? 405 : 404, {
    error: { code: 'NOT_FOUND', message: `no route ${req.method} ${url.pathname}` },
  });
}

function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    if (req.method === 'GET') {
      req.resume();
      return resolve({});
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new SimError('BAD_REQUEST', 'body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (size === 0) return resolve({});
      try {
        const v: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (typeof v !== 'object' || v === null || Array.isArray(v))
          throw new Error('not an object');
        resolve(v as Record<string, unknown>);
      } catch {
        reject(new SimError('BAD_REQUEST', 'body must be a JSON object'));
      }
    });
    req.on('error', reject);
  });
}
