/**
 * What the "Add account" form sends: the record PUT /accounts/{uin} takes (the account
 * registry's `AccountRecord` less the uin), built from the form's fields. DOM-free.
 */

/** What PUT /accounts/{uin} takes. */
export interface AccountInput {
  driver: 'simulator' | 'onebot';
  options: Record<string, unknown>;
  enabled: boolean;
  /** The account's own HTTP POST receivers and reverse WebSockets (the form has no fields). */
  endpoints?: unknown;
}

/** The upstream implementations the `flavor` option names (`auto`: told by get_version_info). */
export const FLAVORS = ['auto', 'napcat', 'llonebot', 'lagrange', 'gocq', 'cqfleet'];

/** The add form's fields, as typed. */
export interface AccountFields {
  uin: string;
  driver: 'simulator' | 'onebot';
  simUrl: string;
  mode: 'forward' | 'reverse';
  url: string;
  token: string;
  flavor: string;
  enabled: boolean;
}

export const EMPTY_FIELDS: AccountFields = {
  uin: '',
  driver: 'simulator',
  simUrl: '',
  mode: 'forward',
  url: '',
  token: '',
  flavor: 'auto',
  enabled: true,
};

/** The record to PUT, or what is missing. */
export function recordOf(f: AccountFields): AccountInput | string {
  if (f.driver === 'simulator') {
    const url = f.simUrl.trim();
    return { driver: 'simulator', options: url ? { url } : {}, enabled: f.enabled };
  }
  const options: Record<string, unknown> = { mode: f.mode, flavor: f.flavor.trim() || 'auto' };
  const url = f.url.trim();
  if (f.mode === 'forward') {
    if (!url) return 'A forward upstream needs its URL (ws://…).';
    options.url = url;
  }
  if (f.token) options.token = f.token;
  else if (f.mode === 'reverse') return 'A reverse upstream needs a token.';
  return { driver: 'onebot', options, enabled: f.enabled };
}

/**
 * The record that replaces an existing account's: the form's driver, with the account's own
 * endpoints kept. A PUT replaces the whole record, and the form has no endpoint fields, so
 * saving an existing uin wiped its receivers.
 */
export function keepEndpoints(record: AccountInput, existing: unknown): AccountInput {
  const endpoints =
    typeof existing === 'object' && existing !== null
      ? (existing as { endpoints?: unknown }).endpoints
      : undefined;
  return endpoints === undefined ? record : { ...record, endpoints };
}
