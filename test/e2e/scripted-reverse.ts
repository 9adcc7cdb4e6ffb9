/**
 * A scripted upstream that connects in by reverse WebSocket, for the relay tests
 * (upstream-reverse, upstream-relay-faults): it answers the login check, echoes `echo_back`
 * (any parameters, any size), answers Lagrange's own names for two go-cqhttp actions, and
 * `1404` for everything else — Lagrange lacks get_image, so cqfleet's fallbacks show.
 */
import { waitFor } from '@cqfleet/testkit';
import WebSocket from 'ws';
import { failed, ok } from './upstream-support.js';

/**
 * The upgrade answer of a socket to a gateway's `/upstream` with these headers. `onMessage` is
 * listening from the start: the owner's first frame can arrive in the same read as the upgrade
 * answer, and `ws` emits it right after 'open', before anyone awaiting the open socket runs.
 */
export function upgrade(
  wsUrl: string,
  headers: Record<string, string>,
  path = '/upstream',
  onMessage?: (ws: WebSocket, data: WebSocket.RawData) => void,
): Promise<{ status: number; ws?: WebSocket }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${wsUrl}${path}`, { headers });
    if (onMessage) ws.on('message', data => onMessage(ws, data));
    ws.once('open', () => resolve({ status: 101, ws }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      res.resume();
      ws.terminate();
    });
    ws.once('error', err => {
      if (ws.readyState !== WebSocket.CLOSED) reject(err);
    });
  });
}

/** Lagrange's names for go-cqhttp's `delete_group_folder` and NapCat's `set_msg_emoji_like`. */
const LAGRANGE_NAMES = new Set(['delete_group_file_folder', 'set_group_reaction']);

export interface ReverseClient {
  ws: WebSocket;
  /** The actions it was asked, in order. */
  actions: string[];
  calls: Array<{ action: string; params: unknown }>;
}

/**
 * Connects as account `uin`'s upstream (retrying while the gateway does not know the account
 * yet: it reloads its registry every few seconds) and answers what it is asked.
 */
export async function connectReverse(
  wsUrl: string,
  uin: number,
  token: string,
): Promise<ReverseClient> {
  const headers = {
    'X-Self-ID': String(uin),
    'X-Client-Role': 'Universal',
    Authorization: `Bearer ${token}`,
  };
  const actions: string[] = [];
  const calls: Array<{ action: string; params: unknown }> = [];
  const reply = (ws: WebSocket, data: WebSocket.RawData) => {
    const req = JSON.parse(String(data)) as { action: string; params: unknown; echo: unknown };
    actions.push(req.action);
    calls.push({ action: req.action, params: req.params });
    const answer =
      req.action === 'get_login_info'
        ? ok({ user_id: uin, nickname: 'scripted' })
        : req.action === 'get_version_info'
          ? ok({ app_name: 'Lagrange.OneBot', app_version: '0.0.3' })
          : req.action === 'echo_back'
            ? ok(req.params)
            : LAGRANGE_NAMES.has(req.action)
              ? ok(null)
              : failed(1404, '不支持的Api ' + req.action);
    ws.send(JSON.stringify({ ...answer, echo: req.echo }));
  };
  const ws = await waitFor(
    async () => (await upgrade(wsUrl, headers, '/upstream', reply)).ws,
    15_000,
  );
  return { ws, actions, calls };
}

/**
 * A message event frame of account `selfId` from PERSON-like user 20001, as an upstream sends
 * it: in `group` when given (its seq is the id), else private.
 */
export function messageFrame(
  selfId: number,
  id: number,
  message: Array<{ type: string; data: Record<string, unknown> }>,
  group?: number,
): string {
  return JSON.stringify({
    post_type: 'message',
    message_type: group === undefined ? 'private' : 'group',
    sub_type: group === undefined ? 'friend' : 'normal',
    time: Math.floor(Date.now() / 1000),
    self_id: selfId,
    ...(group === undefined ? {} : { group_id: group, message_seq: id }),
    user_id: 20001,
    message_id: id,
    message,
    font: 0,
    sender: { user_id: 20001, nickname: 'someone' },
  });
}

/** A text segment. */
export const text = (t: string) => ({ type: 'text', data: { text: t } });
