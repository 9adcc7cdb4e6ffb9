/**
 * The gateway's admin port as the page speaks to it. Every request carries
 * `Authorization: Bearer <admin token>`; the token lives in sessionStorage only (never in a URL).
 *
 *   GET  <console>/api/fleet                    the FleetSnapshot
 *   GET  <console>/api/actions                  the action table with JSON Schemas (once)
 *   POST <console>/api/accounts/{uin}/call      {action, params} → the OneBot envelope
 *   GET  <console>/api/accounts/{uin}/events    NDJSON stream (event-stream.ts reads it)
 *   …    <console>/api/sim/…                    the demo chat (sim-api.ts)
 *   PUT  /accounts/{uin}, POST /accounts/{uin}/enable|disable, DELETE /accounts/{uin}
 *
 * URLs are relative to where app.js was loaded from (`/console/`), so the page also works
 * behind a reverse proxy that adds a path prefix.
 */
import type { AccountInput } from './account-record.js';
import { type CatalogueAction, readCatalogue } from './action-schema.js';
import type { FleetSnapshot } from './fleet-model.js';

const TOKEN_KEY = 'cqfleet.console.token';

export const tokenStore = {
  get(): string | null {
    try {
      return sessionStorage.getItem(TOKEN_KEY);
    } catch {
      return null;
    }
  },
  set(token: string): void {
    try {
      sessionStorage.setItem(TOKEN_KEY, token);
    } catch {
      // Storage refused (private mode): the token lasts as long as the page.
    }
  },
  clear(): void {
    try {
      sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      // nothing stored
    }
  },
};

/** The console's own directory: where app.js is. */
const base = new URL('./', import.meta.url);
export const consoleUrl = (path: string) => new URL(path, base).href;
/** The admin API lives at the root of the admin port, one level above `/console/`. */
const adminUrl = (path: string) => new URL(`../${path}`, base).href;

/** A request the gateway refused, or that never got an answer (`status` 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The token is wrong (401) or the gateway takes none (403): the session is over. */
  get isAuth(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

/**
 * What a refused login or session says to the operator. The gateway answers 403
 * `ADMIN_DISABLED` when it has no admin token, and 401 (no token) or 403 `UNAUTHORIZED`
 * (a wrong one) otherwise.
 */
export function authMessage(err: ApiError): string {
  if (err.code === 'ADMIN_DISABLED')
    return `The console is switched off: the gateway has no admin token (${err.status}: ${err.message}).`;
  if (err.status === 401 || err.code === 'UNAUTHORIZED')
    return `Wrong admin token: the gateway refused it (${err.status}: ${err.message}).`;
  return `The gateway refused the console (${err.status}: ${err.message}).`;
}

const TIMEOUT_MS = 10_000;

const FALLBACK: Record<number, string> = {
  401: 'an admin token is needed',
  403: 'forbidden',
};

export function errorOf(status: number, body: unknown, fallback: string): ApiError {
  const e = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const code = typeof e?.code === 'string' ? e.code : `HTTP_${status}`;
  const message =
    typeof e?.message === 'string' && e.message ? e.message : (FALLBACK[status] ?? fallback);
  return new ApiError(status, code, message);
}

/** Sends one request; resolves with the answer's status and JSON body (null when not JSON). */
async function send(
  token: string,
  method: string,
  url: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${token}`,
    accept: 'application/json',
  };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const ctl = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ctl.abort();
  }, TIMEOUT_MS);
  const onAbort = () => ctl.abort();
  signal?.addEventListener('abort', onAbort);
  try {
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        signal: ctl.signal,
        cache: 'no-store',
        credentials: 'omit',
      });
      text = await res.text();
    } catch (err) {
      if (signal?.aborted) throw err;
      const why = timedOut ? `no answer within ${TIMEOUT_MS / 1000} s` : 'network error';
      throw new ApiError(0, 'NETWORK', `The gateway did not answer (${why}).`);
    }
    let json: unknown = null;
    if (text) {
      try {
        json = JSON.parse(text) as unknown;
      } catch {
        json = null;
      }
    }
    return { status: res.status, body: json };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

export async function expectOk(
  token: string,
  method: string,
  url: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<unknown> {
  const res = await send(token, method, url, body, signal);
  if (res.status >= 200 && res.status < 300) return res.body;
  throw errorOf(res.status, res.body, `${method} ${new URL(url).pathname} answered ${res.status}`);
}

export async function fetchFleet(token: string, signal?: AbortSignal): Promise<FleetSnapshot> {
  const body = await expectOk(token, 'GET', consoleUrl('api/fleet'), undefined, signal);
  const snap = body as FleetSnapshot | null;
  if (!snap || !Array.isArray(snap.accounts))
    throw new ApiError(502, 'BAD_SNAPSHOT', 'The gateway answered something that is no snapshot.');
  return snap;
}

let catalogue: { token: string; list: Promise<CatalogueAction[]> } | undefined;

/**
 * The action table (`GET <console>/api/actions`), fetched once per token and shared by every
 * account's action form; a failed fetch is forgotten so that the next form asks again.
 */
export function fetchActions(token: string): Promise<CatalogueAction[]> {
  if (catalogue?.token === token) return catalogue.list;
  const list = expectOk(token, 'GET', consoleUrl('api/actions')).then(body => {
    const actions = readCatalogue(body);
    if (!actions)
      throw new ApiError(
        502,
        'BAD_CATALOGUE',
        'The gateway answered something that is no action list.',
      );
    return actions;
  });
  const entry = { token, list };
  catalogue = entry;
  list.catch(() => {
    if (catalogue === entry) catalogue = undefined;
  });
  return list;
}

/** The OneBot v11 answer to an action. */
export interface OneBotEnvelope {
  status: string;
  retcode: number;
  data: unknown;
  message?: string;
  wording?: string;
}

const isEnvelope = (b: unknown): b is OneBotEnvelope =>
  typeof b === 'object' && b !== null && 'status' in b && 'retcode' in b;

/** Runs one action on one account; a failed action is an envelope too, not an error. */
export async function callAction(
  token: string,
  uin: number,
  action: string,
  params: unknown,
): Promise<OneBotEnvelope> {
  const url = consoleUrl(`api/accounts/${uin}/call`);
  const res = await send(token, 'POST', url, { action, params });
  if (isEnvelope(res.body)) return res.body;
  throw errorOf(res.status, res.body, `the call answered ${res.status}`);
}

export function setEnabled(token: string, uin: number, enabled: boolean): Promise<unknown> {
  return expectOk(token, 'POST', adminUrl(`accounts/${uin}/${enabled ? 'enable' : 'disable'}`));
}

export function removeAccount(token: string, uin: number): Promise<unknown> {
  return expectOk(token, 'DELETE', adminUrl(`accounts/${uin}`));
}

/** The account's record as the admin API keeps it (GET /accounts/{uin}). */
export function getAccount(token: string, uin: number): Promise<unknown> {
  return expectOk(token, 'GET', adminUrl(`accounts/${uin}`));
}

/** Adds or replaces an account; true when it was added (201). */
export async function putAccount(
  token: string,
  uin: number,
  input: AccountInput,
): Promise<boolean> {
  const res = await send(token, 'PUT', adminUrl(`accounts/${uin}`), input);
  if (res.status === 201) return true;
  if (res.status >= 200 && res.status < 300) return false;
  throw errorOf(res.status, res.body, `PUT /accounts/${uin} answered ${res.status}`);
}
