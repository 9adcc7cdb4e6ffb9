/**
 * History's actions of the table's `message` domain: get_msg, get_group_msg_history,
 * get_friend_msg_history, get_forward_msg — answered from Redis, and from the QQ side for what
 * history lacks (qq-backed.ts).
 */
import { getMsgShape, type MessageStore, type StoredMessage } from '@cqfleet/history-store';
import { fail, formatMessage, type Handlers, type MessageFormat } from '@cqfleet/onebot';
import type { Finder, Settle } from '../finder.js';
import type { QQBacked } from '../qq-backed.js';
import type { HistoryContext } from './context.js';

/** History lists return message events with `message` in the endpoint's format. */
function asEvent(m: StoredMessage, format: MessageFormat) {
  return { ...m, message: formatMessage(m.message, format), message_format: format };
}

const INT32 = /^-?\d{1,10}$/;

/**
 * The resid `id` names: a message id of this account's whose message carries a forward gives
 * that forward's resid; anything else is taken as a resid.
 */
async function forwardId(find: Finder, selfId: number, id: string): Promise<string> {
  if (!INT32.test(id) || Number(id) !== (Number(id) | 0)) return id;
  const m = await find(selfId, Number(id));
  const segment = m?.message.find(s => s.type === 'forward');
  const resid = segment ? String(segment.data.id ?? '') : '';
  return resid || id;
}

export function messageHandlers(store: MessageStore, find: Finder, qq: QQBacked, settle: Settle) {
  return {
    get_msg: async (p, ctx) => {
      const m = await find(ctx.selfId, p.message_id);
      if (!m) return fail('MSG_NOT_FOUND');
      return getMsgShape(m, ctx.format, p.message_id);
    },
    /** NapCat's shape: `count` messages ending at `message_seq`; `reverse_order` puts the newest first. */
    get_friend_msg_history: async (p, ctx) => {
      if (p.message_seq < 0) return fail('MSG_NOT_FOUND', `消息序号 ${p.message_seq} 无效`);
      // The page is read from the store: what was just said must be in it (read-your-writes).
      await settle();
      const page = await store.privateHistory(ctx.selfId, p.user_id, p.message_seq, p.count);
      if (!page) return fail('MSG_NOT_FOUND', `没有序号为 ${p.message_seq} 的消息`);
      const list = page.map(m => asEvent(m, ctx.format));
      return { messages: p.reverse_order ? list.reverse() : list };
    },
    /**
     * go-cqhttp's page of 20 ending at `message_seq`; NapCat's `count` sets its size and
     * `reverse_order` puts the newest first.
     */
    get_group_msg_history: async (p, ctx) => {
      // Read from the store first (the QQ side only for what it lacks): as above.
      await settle();
      const page = await qq.groupPage(ctx.selfId, p.group_id, p.message_seq, p.count);
      const list = page.map(m => asEvent(m, ctx.format));
      return { messages: p.reverse_order ? list.reverse() : list };
    },
    /** By resid (go-cqhttp), or by the message_id of the message carrying it (NapCat, LLOneBot). */
    get_forward_msg: async (p, ctx) => ({
      messages: await qq.forward(
        ctx.selfId,
        await forwardId(find, ctx.selfId, p.message_id),
        ctx.format,
        ctx.signal,
      ),
    }),
  } satisfies Partial<Handlers<'history', HistoryContext>>;
}
