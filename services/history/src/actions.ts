/** The actions history owns (get_msg, get_group_msg_history), typed by the action table. */
import {
  type ActionName,
  fail,
  formatMessage,
  type Handlers,
  isActionName,
  type MessageFormat,
  messageCode,
  messageIdV2,
  OneBotError,
} from '@cqfleet/onebot';
import { type ActionRequest, MessageFormat as WireFormat } from '@cqfleet/proto';
import type { HistoryConsumer } from './consumer.js';
import type { MessageStore, StoredMessage } from './store.js';

export interface HistoryContext {
  selfId: number;
  format: MessageFormat;
}

export type HistoryHandlers = Partial<Handlers<'history', HistoryContext>>;

/** `get_msg`'s shape (reference §1.4): no raw_message; real_id = message_seq = QQ seq. */
export function getMsgShape(m: StoredMessage, format: MessageFormat) {
  const isGroup = m.message_type === 'group';
  const code = messageCode(m.message_type, isGroup ? m.group_id : undefined, m.user_id);
  return {
    message_id: m.message_id,
    message_id_v2: messageIdV2(code, m.message_seq),
    message_type: m.message_type,
    real_id: m.message_seq,
    message_seq: m.message_seq,
    group: isGroup,
    ...(isGroup ? { group_id: m.group_id } : {}),
    sender: { user_id: m.sender.user_id, nickname: m.sender.nickname },
    time: m.time,
    message: formatMessage(m.message, format),
  };
}

/** History lists return message events with `message` in the endpoint's format. */
function asEvent(m: StoredMessage, format: MessageFormat) {
  return { ...m, message: formatMessage(m.message, format) };
}

export function historyHandlers(
  store: MessageStore,
  consumer: HistoryConsumer,
  catchUpMs: number,
): HistoryHandlers {
  /** A miss may be a message still in flight in the stream: wait for the consumer once. */
  const find = async (selfId: number, messageId: number): Promise<StoredMessage | undefined> =>
    (await store.get(selfId, messageId)) ??
    ((await consumer.catchUp(catchUpMs)) ? await store.get(selfId, messageId) : undefined);

  return {
    get_msg: async (p, ctx) => {
      const m = await find(ctx.selfId, p.message_id);
      if (!m) return fail('MSG_NOT_FOUND');
      return getMsgShape(m, ctx.format);
    },
    get_group_msg_history: async (p, ctx) => ({
      messages: (await store.groupHistory(ctx.selfId, p.group_id, p.message_seq)).map(m =>
        asEvent(m, ctx.format),
      ),
    }),
  };
}

type AnyHandler = (params: unknown, ctx: HistoryContext) => Promise<unknown>;

export function createExecutor(
  handlers: HistoryHandlers,
): (req: ActionRequest) => Promise<unknown> {
  return async req => {
    if (!isActionName(req.action)) throw new OneBotError('API_NOT_FOUND');
    const handler = handlers[req.action as ActionName & keyof HistoryHandlers] as
      AnyHandler | undefined;
    if (!handler) throw new OneBotError('API_NOT_IMPLEMENTED');
    const format: MessageFormat =
      req.messageFormat === WireFormat.MESSAGE_FORMAT_ARRAY ? 'array' : 'string';
    const params: unknown =
      req.paramsJson.length > 0 ? JSON.parse(Buffer.from(req.paramsJson).toString('utf8')) : {};
    return handler(params, { selfId: req.selfId, format });
  };
}
