/**
 * A scripted upstream that answers the way NapCat does where NapCat differs from go-cqhttp
 * (reference onebot11-and-peers.md §1.7, §2), for upstream-napcat.int.test.ts: a plain `ws`
 * server with NapCat's token handling (a bad token's upgrade is accepted, then one 1403 frame,
 * then close), NapCat's retcodes and shapes, its own actions, and events pushed on demand.
 */
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { failed, ok } from './upstream-support.js';

export const UIN = 30001;
export const GROUP = 600600;
/** A group whose history only the upstream has. */
export const QUIET_GROUP = 600601;
export const TOKEN = 'napcat-token';
/** When its old messages were said: recent, so history's age retention keeps them. */
const EPOCH = Math.floor(Date.now() / 1000) - 3_600;

function answer(action: string, params: Record<string, unknown>): object {
  switch (action) {
    case 'get_login_info':
      return ok({ user_id: UIN, nickname: 'napcat bot' });
    case 'get_version_info':
      return ok({ app_name: 'NapCat.Onebot', app_version: '4.8.0', protocol_version: 'v11' });
    case 'send_group_msg':
      return ok({ message_id: 987654 });
    case 'set_input_status':
      return ok({ result: 0, errMsg: '' });
    case 'nc_get_user_status':
      return ok({ status: 10, ext_status: 0 });
    case 'set_group_kick':
      return failed(1200, '踢人失败: 权限不足');
    case 'get_group_info':
      // NapCat checks parameters itself and answers 1400 over WebSocket.
      return params.group_id === 999
        ? failed(1400, 'group_id 参数错误')
        : ok({ group_id: params.group_id, group_name: 'nc group', member_count: 2 });
    case 'get_msg':
      // A message the account sent, which this NapCat did not report (reportSelfMessage off).
      return params.message_id === 555
        ? ok({
            message_id: 555,
            real_id: 555,
            message_seq: 555,
            message_type: 'group',
            group_id: GROUP,
            time: EPOCH + 100,
            sender: { user_id: UIN, nickname: 'napcat bot', card: '', role: 'member' },
            message: [{ type: 'text', data: { text: 'sent, not reported' } }],
          })
        : failed(1200, '消息不存在');
    case 'get_forward_msg':
      return ok({
        messages: [
          {
            sender: { user_id: 1, nickname: 'a' },
            time: EPOCH,
            content: [{ type: 'text', data: { text: 'node one' } }],
            message_format: 'array',
          },
        ],
      });
    case 'ocr_image':
      // NapCat's OCR needs the Windows QQ client.
      return failed(1200, '当前平台不支持OCR');
    case 'get_recent_contact':
      // NapCat's own: the latest message of each recent chat.
      return ok([
        { peerUin: '20001', chatType: 1, lastestMsg: napcatMessage(20001, 77, 'private') },
      ]);
    case 'get_group_msg_history': {
      // NapCat's page: `count` messages up to `message_seq`, NapCat's message shape.
      const top = Number(params.message_seq ?? 40);
      const count = Number(params.count ?? 20);
      const messages = [];
      for (let seq = Math.max(1, top - count + 1); seq <= top; seq++)
        messages.push(napcatMessage(20001, seq, 'group'));
      return ok({ messages });
    }
    default:
      return failed(1404, '不支持的Api ' + action);
  }
}

/** A message as NapCat returns it from its history actions. */
function napcatMessage(userId: number, seq: number, type: 'group' | 'private') {
  return {
    self_id: UIN,
    user_id: userId,
    time: EPOCH + seq,
    message_id: 900000 + seq,
    message_seq: seq,
    real_id: seq,
    message_type: type,
    sub_type: type === 'group' ? 'normal' : 'friend',
    ...(type === 'group' ? { group_id: QUIET_GROUP } : {}),
    sender: { user_id: userId, nickname: 'someone', card: '', role: 'member' },
    raw_message: `old ${seq}[CQ:face,id=14]`,
    font: 14,
    message: [
      { type: 'text', data: { text: `old ${seq}` } },
      { type: 'face', data: { id: '14' } },
    ],
    message_format: 'array',
    post_type: 'message',
  };
}

export class ScriptedNapCat {
  /** Every action it was asked, in order. */
  readonly received: Array<{ action: string; params: Record<string, unknown> }> = [];
  private sockets: WebSocket[] = [];
  private server?: WebSocketServer;
  url = '';

  async start(): Promise<this> {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    this.server = server;
    await new Promise(r => server.once('listening', r));
    server.on('connection', (ws, req) => {
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        ws.send(JSON.stringify(failed(1403, 'token验证失败')));
        ws.close();
        return;
      }
      this.sockets.push(ws);
      ws.on('close', () => (this.sockets = this.sockets.filter(s => s !== ws)));
      ws.on('message', data => {
        const req = JSON.parse(String(data)) as {
          action: string;
          params: Record<string, unknown>;
          echo: unknown;
        };
        this.received.push({ action: req.action, params: req.params });
        ws.send(JSON.stringify({ ...answer(req.action, req.params), echo: req.echo }));
      });
    });
    this.url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    return this;
  }

  /** Sends an event to every connected front worker. */
  push(event: Record<string, unknown>): void {
    const frame = JSON.stringify({ time: Math.floor(Date.now() / 1000), self_id: UIN, ...event });
    for (const s of this.sockets) s.send(frame);
  }

  /** Drops every connection, as a crashed NapCat would. */
  drop(): void {
    for (const s of this.sockets) s.terminate();
  }

  close(): void {
    this.server?.close();
  }
}
