/**
 * The console's API, on the gateway's admin port next to the accounts admin API and behind
 * the same operator token (`Authorization: Bearer <GATEWAY_ADMIN_TOKEN>`, admin/json-api.ts):
 *
 *   GET  /console/api/fleet                  the FleetSnapshot (contracts/console.ts)
 *   GET  /console/api/actions                the action table with each action's parameters
 *                                            as JSON Schema (action-catalogue.ts), built
 *                                            once; ETag / If-None-Match (304)
 *   POST /console/api/accounts/{uin}/call    body `{action, params}`: the action's envelope
 *   GET  /console/api/accounts/{uin}/events  the account's live events (event-stream.ts, a
 *                                            route of its own: it streams)
 *   …    /console/api/sim/…                  the demo chat's simulator proxy (sim-proxy.ts)
 *   GET  /console/api/sim/media?url=…        one of the simulator's images, as bytes
 *                                            (sim-media.ts; answered here: not JSON)
 *
 * A call goes through `ActionRouter.call` like any client's, as the operator (every action of
 * the table, operator-only ones included) and with `array` messages, and its answer is the
 * envelope a client would get (200, whatever the retcode). Each call is logged with its
 * account and action: the console acts with the operator's full power.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FleetSnapshot } from '@cqfleet/contracts';
import type { Logger } from '@cqfleet/runtime';
import { z } from 'zod';
import {
  type AdminRoute,
  adminJsonRoute,
  API_HEADERS,
  ApiError,
  readJson,
  requireAdminToken,
  sendJson,
} from '../admin/json-api.js';
import type { ActionRouter } from '../routing/router.js';
import { type CatalogueBody, catalogueBody } from './action-catalogue.js';
import { MEDIA_HEADERS } from './sim-media.js';
import type { SimProxy } from './sim-proxy.js';

export const CONSOLE_API_PREFIX = '/console/api';

export interface ConsoleApiDeps {
  fleet: { snapshot(): Promise<FleetSnapshot> };
  router: Pick<ActionRouter, 'call'>;
  /** The demo chat's proxy (answers 404 SIMULATOR_NOT_CONFIGURED when it has no URL). */
  sim?: Pick<SimProxy, 'handle' | 'media'>;
  /** Empty: the API is refused (403). */
  token: string;
  log: Logger;
  /** The action catalogue's answer; built from the OneBot action table when absent. */
  catalogue?: CatalogueBody;
}

export const ACTIONS_PATH = `${CONSOLE_API_PREFIX}/actions`;
export const SIM_MEDIA_PATH = `${CONSOLE_API_PREFIX}/sim/media`;

/** Whether an `If-None-Match` header names `etag` (weak or strong, or `*`). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header
    .split(',')
    .map(t => t.trim().replace(/^W\//, ''))
    .some(t => t === '*' || t === etag);
}

const CallBody = z.object({
  action: z.string().min(1).max(128),
  params: z.record(z.string(), z.unknown()).default({}),
});

export function consoleApi(deps: ConsoleApiDeps): AdminRoute {
  const catalogue = deps.catalogue ?? catalogueBody();
  if (catalogue.unconverted > 0)
    deps.log.warn(
      { actions: catalogue.count, unconverted: catalogue.unconverted },
      'some actions have no JSON Schema for the console (listed with params {})',
    );

  /**
   * `GET /console/api/actions`: the cached catalogue as it is, with its ETag. Answered here
   * rather than through `handle` below so that the JSON text is not made again per request;
   * the token and the errors are the same.
   */
  function answerActions(req: IncomingMessage, res: ServerResponse): void {
    try {
      requireAdminToken(req, deps.token);
      if (req.method !== 'GET' && req.method !== 'HEAD')
        throw new ApiError(405, 'METHOD', `GET ${ACTIONS_PATH}`);
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(500, 'INTERNAL', 'internal error');
      sendJson(res, e.status, { error: { code: e.code, message: e.message } });
      return;
    }
    const headers = {
      ...API_HEADERS,
      etag: catalogue.etag,
      // Revalidated on each load (it changes with the gateway's version), never shared.
      'cache-control': 'private, no-cache',
    };
    if (etagMatches(req.headers['if-none-match'], catalogue.etag)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, {
      ...headers,
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(catalogue.json),
    });
    res.end(req.method === 'HEAD' ? undefined : catalogue.json);
  }

  /** `GET /console/api/sim/media?url=…`: the image's bytes, or the usual JSON error. */
  async function answerMedia(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      requireAdminToken(req, deps.token);
      if (!deps.sim)
        throw new ApiError(404, 'SIMULATOR_NOT_CONFIGURED', 'this gateway has no simulator');
      const { bytes, type } = await deps.sim.media(req);
      res.writeHead(200, {
        ...MEDIA_HEADERS,
        'content-type': type,
        'content-length': bytes.length,
      });
      res.end(bytes);
    } catch (err) {
      if (!(err instanceof ApiError)) deps.log.error({ err }, 'console media failed');
      const e = err instanceof ApiError ? err : new ApiError(500, 'INTERNAL', 'internal error');
      sendJson(res, e.status, { error: { code: e.code, message: e.message } });
    }
  }

  async function handle(req: IncomingMessage, path: string): Promise<[number, unknown]> {
    const rest = path.slice(CONSOLE_API_PREFIX.length);
    if (/^\/fleet\/?$/.test(rest)) {
      if (req.method !== 'GET') throw new ApiError(405, 'METHOD', `GET ${path}`);
      return [200, await deps.fleet.snapshot()];
    }
    if (rest === '/sim' || rest.startsWith('/sim/')) {
      if (!deps.sim)
        throw new ApiError(404, 'SIMULATOR_NOT_CONFIGURED', 'this gateway has no simulator');
      return deps.sim.handle(req, rest.slice('/sim'.length));
    }
    const call = /^\/accounts\/(\d{1,15})\/call\/?$/.exec(rest);
    if (call) {
      if (req.method !== 'POST') throw new ApiError(405, 'METHOD', `POST ${path}`);
      const uin = Number(call[1]);
      if (!Number.isSafeInteger(uin) || uin <= 0) throw new ApiError(400, 'BAD_UIN', 'bad uin');
      const body = CallBody.safeParse(await readJson(req));
      if (!body.success)
        throw new ApiError(
          400,
          'INVALID_CALL',
          `expected {action, params}: ${body.error.issues[0]?.message ?? 'invalid'}`,
        );
      const { action, params } = body.data;
      deps.log.info({ uin, action }, 'action called from the console');
      return [200, await deps.router.call(action, params, { selfId: uin, format: 'array' })];
    }
    throw new ApiError(404, 'NOT_FOUND', `no console route ${path}`);
  }
  const json = adminJsonRoute({
    prefix: CONSOLE_API_PREFIX,
    token: deps.token,
    log: deps.log,
    handle,
  });
  return async (req, res, path) => {
    if (path === ACTIONS_PATH || path === `${ACTIONS_PATH}/`) {
      answerActions(req, res);
      return true;
    }
    if (path === SIM_MEDIA_PATH) {
      await answerMedia(req, res);
      return true;
    }
    return json(req, res, path);
  };
}
