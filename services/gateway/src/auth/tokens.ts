/**
 * Tokens and what they grant (ARCHITECTURE "Tokens"): the operator token sees every account;
 * an account token sees only its accounts — their actions and their events, on every
 * transport — optionally only some actions. Read as go-cqhttp reads tokens (reference §3.1):
 * `Authorization` with any scheme word (whatever follows the first space), else
 * `access_token` in the query. Missing → 401, unknown → 403.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { AccountToken } from '../config.js';

export interface Grant {
  name: string;
  accounts: '*' | ReadonlySet<number>;
  /** When present, the only actions allowed. */
  actions?: ReadonlySet<string>;
  /** The operator (ARCHITECTURE "Trust model"): may also call the operator's actions. */
  operator?: true;
}

/** Everything: the operator token, or every request when no token is configured at all. */
export const FULL_GRANT: Grant = { name: 'operator', accounts: '*', operator: true };

/**
 * Actions that change what every tenant shares (the event filters, the media cache): the
 * operator's only. Any other grant gets OPERATOR_ONLY, whatever its allow-list says.
 */
export const OPERATOR_ACTIONS: ReadonlySet<string> = new Set([
  'reload_event_filter',
  'clean_cache',
]);

/**
 * What the peer of one of an account's outbound endpoints may call: quick operations in an HTTP
 * POST receiver's reply, API calls over a reverse WebSocket. That peer is the tenant's (its URL
 * is in the tenant's account record or a template for its accounts), so it gets no more than the
 * tenant's tokens:
 *
 * - the endpoint's own `actions`, when it names them: exactly those;
 * - otherwise, when the account tokens naming this account in a list all carry an allow-list:
 *   the union of those lists. Tokens for `'*'` are the operator's (monitoring, operations),
 *   not a tenant's, and count neither way;
 * - otherwise (no token names the account, or one of them is unrestricted): every action of
 *   the account, as before the allow-lists.
 *
 * Never the operator's actions (OPERATOR_ACTIONS), whatever the lists say.
 */
export function outboundGrant(
  selfId: number,
  name: string,
  endpointActions: readonly string[] | undefined,
  tokens: readonly AccountToken[],
): Grant {
  const accounts = new Set([selfId]);
  if (endpointActions) return { name, accounts, actions: new Set(endpointActions) };
  const tenants = tokens.filter(t => t.accounts !== '*' && t.accounts.includes(selfId));
  if (tenants.length === 0 || tenants.some(t => !t.actions)) return { name, accounts };
  return { name, accounts, actions: new Set(tenants.flatMap(t => t.actions ?? [])) };
}

export type AuthResult = { ok: true; grant: Grant } | { ok: false; status: 401 | 403 };

export function tokenFrom(headers: IncomingHttpHeaders, query: URLSearchParams): string {
  const header = headers.authorization;
  if (header !== undefined) {
    const space = header.indexOf(' ');
    return (space >= 0 ? header.slice(space + 1) : header).trim();
  }
  return query.get('access_token') ?? '';
}

/** Tokens are looked up by their hash, so the lookup does not reveal them by its timing. */
const digest = (token: string) => createHash('sha256').update(token).digest('hex');

/** Compares digests, so the time taken says nothing about the secret. */
export const sameSecret = (a: string, b: string): boolean =>
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

export class TokenTable {
  private readonly grants = new Map<string, Grant>();

  constructor(operatorToken: string, tokens: readonly AccountToken[] = []) {
    if (operatorToken) this.grants.set(digest(operatorToken), FULL_GRANT);
    for (const t of tokens)
      this.grants.set(digest(t.token), {
        name: t.name ?? `token for ${t.accounts === '*' ? 'all accounts' : t.accounts.join(',')}`,
        accounts: t.accounts === '*' ? '*' : new Set(t.accounts),
        ...(t.actions ? { actions: new Set(t.actions) } : {}),
      });
  }

  /** No token configured at all: every request is the operator. */
  get open(): boolean {
    return this.grants.size === 0;
  }

  authenticate(headers: IncomingHttpHeaders, query: URLSearchParams): AuthResult {
    if (this.open) return { ok: true, grant: FULL_GRANT };
    const token = tokenFrom(headers, query);
    if (token === '') return { ok: false, status: 401 };
    const grant = this.grants.get(digest(token));
    return grant ? { ok: true, grant } : { ok: false, status: 403 };
  }
}

export function allowsAccount(grant: Grant, selfId: number): boolean {
  return grant.accounts === '*' || grant.accounts.has(selfId);
}

/** True when the grant's allow-list (if any) names the action. */
export function allowsAction(grant: Grant, action: string): boolean {
  return !grant.actions || grant.actions.has(action);
}

/** True when the action is the operator's and the grant is not the operator's. */
export function operatorOnly(grant: Grant, action: string): boolean {
  return OPERATOR_ACTIONS.has(action) && grant.operator !== true;
}
