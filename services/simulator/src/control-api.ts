/**
 * The control API: act as any simulated person and read what was said (documented in
 * README.md). JSON in, JSON out; failures are `{ "error": { "code", "message" } }` with 4xx.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type MessageInput, toSegments } from '@cqfleet/onebot';
import { SimError } from '@cqfleet/sim-client';
import type { AccountHub } from './account-hub.js';
import type { World } from './world.js';

type Params = Record<string, string>;
type Handler = (p: Params, body: Record<string, unknown>, query: URLSearchParams) => unknown;

interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

const MAX_BODY = 16 * 1024 * 1024;

function route(method: Route['method'], path: string, handler: Handler): Route {
  const keys: string[] = [];
  const pattern = new RegExp(
    '^' +
      path.replace(/\{(\w+)\}/g, (_m, k: string) => {
        keys.push(k);
        return '(\\d+)';
      }) +
      '/?$',
  );
  return { method, pattern, keys, handler };
}

function int(value: unknown, name: string): number {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n))
    throw new SimError('BAD_REQUEST', `${name} must be an integer`);
  return n;
}

function limit(query: URLSearchParams): number {
  const raw = query.get('limit');
  return raw ? Math.max(1, Math.min(10_000, int(raw, 'limit'))) : 100;
}

export class ControlApi {
  private readonly routes: Route[];

  constructor(world: World, hub: AccountHub) {
    this.routes = [
      route('GET', '/healthz', () => ({ ok: true })),
      route('GET', '/world', () => ({
        epoch: hub.epoch,
        accounts: world.accounts().map(uin => ({ user_id: uin, online: hub.isOnline(uin) })),
      })),
      route('POST', '/people/{user_id}/send_group_msg', (p, body) =>
        world.postGroupMessage(
          int(p.user_id, 'user_id'),
          int(body.group_id, 'group_id'),
          this.message(body),
        ),
      ),
      route('POST', '/people/{user_id}/send_private_msg', (p, body) =>
        world.postPrivateMessage(
          int(p.user_id, 'user_id'),
          int(body.user_id, 'user_id'),
          this.message(body),
        ),
      ),
      route('GET', '/groups/{group_id}/messages', (p, _b, q) => ({
        messages: world.groupLog(int(p.group_id, 'group_id'), limit(q)),
      })),
      route('GET', '/people/{user_id}/messages', (p, _b, q) => ({
        messages: world.privateLog(int(p.user_id, 'user_id'), limit(q)),
      })),
      route('POST', '/accounts/{user_id}/drop', p => ({
        dropped: hub.drop(int(p.user_id, 'user_id'), 'dropped by control API'),
      })),
    ];
  }

  private message(body: Record<string, unknown>): ReturnType<typeof toSegments> {
    if (body.message === undefined) throw new SimError('BAD_REQUEST', 'message is required');
    return toSegments(body.message as MessageInput, body.auto_escape === true);
  }

  /** Handles a request: 404 for an unknown path, 405 for a known path with another method. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://sim');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    let matchedPath = false;
    for (const r of this.routes) {
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
