/**
 * The control API: act as any simulated person and read what was said (documented in
 * README.md). JSON in, JSON out; failures are `{ "error": { "code", "message" } }` with 4xx.
 *
 * Besides the routes below, `POST /people/{user_id}/{op}` runs any driver op (protocol.ts) as
 * that person, under the same rules an account meets: kick, ban, recall, poke, set_card,
 * set_essence, upload_group_file, ...
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  messageId as computeId,
  type MessageInput,
  stringifyCQ as stringify,
  toSegments,
} from '@cqfleet/onebot';
import { SimError } from '@cqfleet/sim-client';
import type { AccountHub } from './account-hub.js';
import { dispatch, type Params, type Route, route } from './control-routes.js';
import { aiVoiceBytes } from './world/ai-voices.js';
import { sendRedPacket } from './world/forwards.js';
import { setFileSpace } from './world/group-files.js';
import { earnHonor, type HonorType } from './world/honors-notices.js';
import { hasMedia, MAX_UPLOAD_BYTES, mediaBytes, storeUpload } from './world/media.js';
import { sendPrivateMessage, sendGroupMessage } from './world/messages.js';
import { bool, int, optInt, type OpTable, opTable, runOp, str } from './world/ops.js';
import { loggedOut } from './world/profile.js';
import { inviteAccount, requestFriend, requestJoin, setDeviceOnline } from './world/social.js';
import type { WorldState } from './world/state.js';

const HONORS = new Set(['talkative', 'performer', 'legend', 'strong_newbie', 'emotion']);

function limit(query: URLSearchParams): number {
  const raw = query.get('limit');
  return raw ? Math.max(1, Math.min(10_000, int(raw, 'limit'))) : 100;
}

function message(body: Record<string, unknown>) {
  if (body.message === undefined) throw new SimError('BAD_REQUEST', 'message is required');
  return toSegments(body.message as MessageInput, body.auto_escape === true);
}

/**
 * The wall clock in milliseconds with a fraction (`accepted_ms` of the sends): what a load test
 * on the same machine measures an event's latency from.
 */
const preciseNow = () => performance.timeOrigin + performance.now();

/** The most messages one `send_group_msgs` request may say. */
export const MAX_BURST = 1_000;

/** `messages` of a burst: 1 to MAX_BURST OneBot message inputs, every one checked first. */
function burst(body: Record<string, unknown>) {
  const list = body.messages;
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_BURST)
    throw new SimError('BAD_REQUEST', `messages must be an array of 1 to ${MAX_BURST} messages`);
  return list.map(m => message({ message: m, auto_escape: body.auto_escape }));
}

function messageView(
  m: {
    seq: number;
    time: number;
    sender_id: number;
    elements: Array<{ type: string; data: Record<string, string> }>;
    recalled: boolean;
    group_id?: number;
    target_id?: number;
  },
  messageId: number,
) {
  return { ...m, message_id: messageId, message: stringify(m.elements) };
}

export class ControlApi {
  private readonly routes: Route[];

  constructor(
    private readonly world: WorldState,
    hub: AccountHub,
  ) {
    const w = world;
    const ops: OpTable = opTable(w);
    const person = (p: Params) => {
      const uin = int(p.user_id, 'user_id');
      w.user(uin);
      return uin;
    };
    this.routes = [
      route('GET', '/healthz', () => ({ ok: true })),
      route('GET', '/world', () => ({
        epoch: hub.epoch,
        accounts: w.accounts().map(uin => ({ user_id: uin, online: hub.isOnline(uin) })),
        groups: [...w.groups.values()].map(g => ({
          group_id: g.info.group_id,
          group_name: g.info.group_name,
          members: g.members.size,
        })),
      })),
      // Messages, with OneBot message input.
      route('POST', '/people/{user_id}/send_group_msg', (p, b) => {
        const groupId = int(b.group_id, 'group_id');
        const acceptedMs = preciseNow();
        const sent = sendGroupMessage(w, person(p), groupId, message(b));
        return { ...sent, message_id: computeId(groupId, sent.seq), accepted_ms: acceptedMs };
      }),
      // A burst in one request (load tests: a busy group without an HTTP request per message).
      route('POST', '/people/{user_id}/send_group_msgs', (p, b) => {
        const groupId = int(b.group_id, 'group_id');
        const from = person(p);
        const inputs = burst(b);
        const acceptedMs = preciseNow();
        return {
          message_ids: inputs.map(m =>
            computeId(groupId, sendGroupMessage(w, from, groupId, m).seq),
          ),
          accepted_ms: acceptedMs,
        };
      }),
      route('POST', '/people/{user_id}/send_private_msg', (p, b) => {
        const from = person(p);
        const sent = sendPrivateMessage(
          w,
          from,
          int(b.user_id, 'user_id'),
          message(b),
          optInt(b.group_id, 'group_id'),
        );
        return { ...sent, message_id: computeId(from, sent.seq) };
      }),
      route('POST', '/people/{user_id}/red_packet', (p, b) => {
        const groupId = int(b.group_id, 'group_id');
        const sent = sendRedPacket(
          w,
          person(p),
          groupId,
          str(b.title, 'title') || '恭喜发财',
          optInt(b.lucky_king, 'lucky_king'),
        );
        return { ...sent, message_id: computeId(groupId, sent.seq) };
      }),
      // Requests a person makes to accounts.
      route('POST', '/people/{user_id}/request_friend', (p, b) => ({
        flag: requestFriend(w, person(p), int(b.user_id, 'user_id'), str(b.comment, 'comment')),
      })),
      route('POST', '/people/{user_id}/request_join', (p, b) => ({
        flags: requestJoin(w, person(p), int(b.group_id, 'group_id'), str(b.comment, 'comment')),
      })),
      route('POST', '/people/{user_id}/invite', (p, b) => ({
        flag: inviteAccount(w, person(p), int(b.group_id, 'group_id'), int(b.account, 'account')),
      })),
      // Any driver op as this person.
      route('POST', '/people/{user_id}/{op}', (p, b) => {
        const op = p.op ?? '';
        if (!Object.hasOwn(ops, op)) throw new SimError('NOT_FOUND', `no op ${op}`);
        return { result: runOp(ops, op, b, person(p)) ?? null };
      }),
      // The network itself.
      route('POST', '/groups/{group_id}/honors', (p, b) => {
        const type = str(b.type, 'type');
        if (!HONORS.has(type))
          throw new SimError('BAD_REQUEST', `type must be one of ${[...HONORS].join(', ')}`);
        earnHonor(w, int(p.group_id, 'group_id'), int(b.user_id, 'user_id'), type as HonorType);
        return { ok: true };
      }),
      // The group's permanent file space (file-rules.ts): uploads beyond it become temporary files.
      route('POST', '/groups/{group_id}/file_space', (p, b) =>
        setFileSpace(w, int(p.group_id, 'group_id'), int(b.total_space, 'total_space')),
      ),
      route('GET', '/groups/{group_id}/messages', (p, _b, q) => {
        const g = w.group(int(p.group_id, 'group_id'));
        return {
          messages: g.log.slice(-limit(q)).flatMap(seq => {
            const m = g.messages.get(seq);
            return m ? [messageView(m, computeId(g.info.group_id, seq))] : [];
          }),
        };
      }),
      route('GET', '/people/{user_id}/messages', (p, _b, q) => ({
        messages: w
          .user(int(p.user_id, 'user_id'))
          .privateLog.slice(-limit(q))
          .map(m => messageView(m, computeId(m.sender_id, m.seq))),
      })),
      route('GET', '/groups/{group_id}/members', p => ({
        members: [...w.group(int(p.group_id, 'group_id')).members.values()],
      })),
      // Accounts: devices and fault injection.
      route('POST', '/accounts/{user_id}/devices', (p, b) => {
        setDeviceOnline(
          w,
          person(p),
          {
            app_id: int(b.app_id, 'app_id'),
            device_name: str(b.device_name, 'device_name'),
            device_kind: str(b.device_kind, 'device_kind'),
          },
          bool(b.online),
        );
        return { ok: true };
      }),
      route('POST', '/accounts/{user_id}/faults', (p, b) => {
        const u = w.user(person(p));
        if (b.refuse_sends !== undefined) u.faults.refuseSends = bool(b.refuse_sends);
        if (b.delay_ms !== undefined) u.faults.delayMs = Math.max(0, int(b.delay_ms, 'delay_ms'));
        if (b.offline !== undefined) {
          const loggingOut = bool(b.offline) && !u.faults.offline;
          u.faults.offline = bool(b.offline);
          // QQ tells a logged-out account why (NapCat's bot_offline) before the line goes.
          if (loggingOut) loggedOut(w, u.profile.user_id, '下线通知', '账号已被服务器下线');
          if (u.faults.offline) hub.drop(int(p.user_id, 'user_id'));
        }
        return { faults: u.faults };
      }),
      route('POST', '/accounts/{user_id}/drop', p => ({
        dropped: hub.drop(int(p.user_id, 'user_id')),
      })),
    ];
  }

  /** The upload side of `/media/<kind>/<name>`: HEAD says whether it is known, PUT stores it. */
  private upload(req: IncomingMessage, res: ServerResponse, name: string): void {
    if (req.method === 'HEAD') {
      res.writeHead(hasMedia(this.world, name) ? 200 : 404).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_UPLOAD_BYTES) {
        res.writeHead(413).end();
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      try {
        storeUpload(this.world, name, Buffer.concat(chunks));
        res.writeHead(201).end();
      } catch (err) {
        res.writeHead(400).end(err instanceof Error ? err.message : '');
      }
    });
  }

  /**
   * Handles a request: 404 for an unknown path, 405 for a known path with another method, 400
   * for a request line that cannot be read (a malformed percent-escape, an unparsable URL).
   * Nothing a request holds may throw out of here: it would be thrown in the HTTP server's
   * listener and take the simulator down.
   */
  handle(req: IncomingMessage, res: ServerResponse): void {
    try {
      this.route(req, res);
    } catch (err) {
      if (res.headersSent) return void res.destroy();
      res.writeHead(400, { 'content-type': 'application/json; charset=utf-8' });
      const message = err instanceof URIError ? 'malformed percent-escape' : 'unreadable request';
      res.end(JSON.stringify({ error: { code: 'BAD_REQUEST', message } }));
    }
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://sim');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    if ((req.method === 'HEAD' || req.method === 'PUT') && url.pathname.startsWith('/media/')) {
      this.upload(req, res, decodeURIComponent(url.pathname.split('/')[3] ?? ''));
      return;
    }
    // Simulated AI voices (world/ai-voices.ts): /ai-voices/<character_id>.wav?text=…
    const voice = /^\/ai-voices\/([^/]+)\.wav$/.exec(url.pathname);
    if (req.method === 'GET' && voice) {
      try {
        const bytes = aiVoiceBytes(
          decodeURIComponent(voice[1] ?? ''),
          url.searchParams.get('text') ?? undefined,
        );
        res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': bytes.length });
        res.end(bytes);
      } catch {
        send(404, { error: { code: 'NOT_FOUND', message: 'no such AI voice' } });
      }
      return;
    }
    if (req.method === 'GET' && url.pathname.startsWith('/media/')) {
      const [, , kind = '', ...rest] = url.pathname.split('/');
      try {
        const media = mediaBytes(this.world, kind, decodeURIComponent(rest.join('/')));
        res.writeHead(200, { 'content-type': media.type, 'content-length': media.bytes.length });
        res.end(media.bytes);
      } catch {
        send(404, { error: { code: 'NOT_FOUND', message: 'no such media' } });
      }
      return;
    }
    dispatch(this.routes, req, url, send);
  }
}
