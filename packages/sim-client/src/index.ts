/**
 * @cqfleet/sim-client — the simulator's wire protocol and its two clients.
 *
 * ```ts
 * const conn = await SimConnection.open('http://127.0.0.1:5900');
 * conn.onPush = push => { if (push.push === 'event') handle(push.event) };
 * await conn.request('login', { uin: 10001, fence: 1, resume_after: 0, epoch: '' });
 *
 * const sim = new SimControl('http://127.0.0.1:5900');
 * await sim.sendGroupMsg(20001, 100100, 'hello');
 * ```
 */
export { MAX_FRAME_BYTES, parseServerFrame, SimConnection } from './connection.js';
export type { SimChatMessage } from './control.js';
export { SimControl } from './control.js';
export type { SimEvent, SimEventKind } from './events.js';
export type * from './models.js';
export type {
  Chat,
  EventPush,
  KickedPush,
  OpName,
  Ops,
  Push,
  ReplyFrame,
  RequestFrame,
  SentMessage,
  ServerFrame,
} from './protocol.js';
export { SimError } from './protocol.js';
export { parseArgs, parseEvent, parseResult, qqOps } from '@cqfleet/qq-side';
