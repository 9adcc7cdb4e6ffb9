/**
 * The outbound deliveries a cluster has: every HTTP POST receiver and reverse WebSocket server,
 * for every account it covers — templates of the config file (`accounts: '*'` or a list) and
 * the endpoints of account records. Each (endpoint, account) pair is one delivery, with a
 * stable id the same on every gateway replica.
 */
import {
  type AccountRecord,
  endpointId,
  expandUrl,
  type HttpPostEndpoint,
  type ReverseWsEndpoint,
  selects,
} from '@cqfleet/contracts';
import type { GatewayFile } from '../config.js';

export type Outbound =
  | { kind: 'http_post'; endpoint: string; selfId: number; def: HttpPostEndpoint }
  | { kind: 'ws_reverse'; endpoint: string; selfId: number; def: ReverseWsEndpoint };

function withoutAccounts<T extends { accounts?: unknown }>(def: T): Omit<T, 'accounts'> {
  const { accounts: _accounts, ...rest } = def;
  return rest;
}

/** Every delivery for the enabled accounts of the registry. */
export function outboundDeliveries(
  file: GatewayFile,
  accounts: readonly AccountRecord[],
): Outbound[] {
  const out: Outbound[] = [];
  for (const account of accounts) {
    if (!account.enabled) continue;
    const selfId = account.uin;
    const httpPost = [
      ...file.http_post.filter(d => selects(d.accounts, selfId)).map(withoutAccounts),
      ...(account.endpoints?.http_post ?? []),
    ];
    const wsReverse = [
      ...file.ws_reverse.filter(d => selects(d.accounts, selfId)).map(withoutAccounts),
      ...(account.endpoints?.ws_reverse ?? []),
    ];
    for (const def of httpPost)
      out.push({
        kind: 'http_post',
        endpoint: endpointId('http_post', def),
        selfId,
        def: { ...def, url: expandUrl(def.url, selfId) },
      });
    for (const def of wsReverse)
      out.push({
        kind: 'ws_reverse',
        endpoint: endpointId('ws_reverse', def),
        selfId,
        def: {
          ...def,
          ...(def.universal ? { universal: expandUrl(def.universal, selfId) } : {}),
          ...(def.api ? { api: expandUrl(def.api, selfId) } : {}),
          ...(def.event ? { event: expandUrl(def.event, selfId) } : {}),
        },
      });
  }
  return out;
}
