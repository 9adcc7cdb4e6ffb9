/**
 * The history answers that may need the QQ side: go-cqhttp fetches forward messages and group
 * history from QQ's servers every time; history answers from Redis when it has the answer and
 * otherwise asks the account's session worker (qq-side.ts), storing what comes back so the
 * next call does not ask again.
 */
import type { ForwardNodeRecord } from '@cqfleet/contracts';
import { formatMessage, type MessageFormat, OneBotError } from '@cqfleet/onebot';
import type { QQSideLink } from './qq-side.js';
import {
  HISTORY_PAGE,
  MAX_GROUP_PAGE,
  type MessageStore,
  type StoredMessage,
} from '@cqfleet/history-store';

/** Nested forwards deeper than this are shown as their forward segment. */
const MAX_FORWARD_DEPTH = 8;

export interface ForwardNodeView {
  sender: { user_id: number; nickname: string };
  time: number;
  content: unknown;
  group_id?: number;
}

export class QQBacked {
  constructor(
    private readonly store: MessageStore,
    private readonly qq: QQSideLink,
  ) {}

  /** A forward's nodes: an upstream account reads (and stores) only its own copy. */
  private async forwardNodes(selfId: number, resid: string): Promise<ForwardNodeRecord[]> {
    const owner = (await this.qq.trust(selfId)) === 'own' ? selfId : undefined;
    const stored = await this.store.getForward(resid, owner);
    if (stored) return stored;
    const nodes = await this.qq.read(selfId, 'forward', { resid });
    await this.store.putForward(resid, nodes, owner);
    return nodes;
  }

  /** get_forward_msg's nodes; a node that is only a nested forward carries the nested nodes. */
  async forward(
    selfId: number,
    resid: string,
    format: MessageFormat,
    depth = 0,
  ): Promise<ForwardNodeView[]> {
    const nodes = await this.forwardNodes(selfId, resid);
    return Promise.all(
      nodes.map(async n => {
        const only = n.message.length === 1 ? n.message[0] : undefined;
        const nested = only?.type === 'forward' ? String(only.data.id ?? '') : '';
        const content =
          nested && depth < MAX_FORWARD_DEPTH
            ? await this.forward(selfId, nested, format, depth + 1)
            : formatMessage(n.message, format);
        return {
          sender: { user_id: n.user_id, nickname: n.nickname },
          time: n.time,
          content,
          ...(n.group_id !== undefined ? { group_id: n.group_id } : {}),
        };
      }),
    );
  }

  /**
   * go-cqhttp's page of group history: seq-19 .. seq (the latest when 0), or NapCat's `count`
   * messages ending at seq (at most 200). A page with every message stored is answered from
   * Redis; otherwise the QQ side is asked for it and what it returns is stored. When the QQ side
   * cannot answer (the account is offline, say) what is stored is answered, or the failure when
   * nothing is.
   */
  async groupPage(
    selfId: number,
    groupId: number,
    seq: number,
    count = HISTORY_PAGE,
  ): Promise<StoredMessage[]> {
    if (seq < 0) throw new OneBotError('MSG_NOT_FOUND', `消息序号 ${seq} 无效`);
    const size = Math.max(1, Math.min(count, MAX_GROUP_PAGE));
    const stored = await this.store.groupHistory(selfId, groupId, seq, size);
    if (stored && isComplete(stored, seq, size)) return stored;
    let fetched: StoredMessage[];
    try {
      fetched = await this.qq.read(selfId, 'group_messages', {
        group_id: groupId,
        seq,
        count: size,
      });
    } catch (err) {
      if (stored && stored.length > 0) return stored;
      throw err;
    }
    if (fetched.length > 0) {
      const trust = await this.qq.trust(selfId);
      await this.store.putMany(fetched, () => trust);
    }
    const page = await this.store.groupHistory(selfId, groupId, seq, size);
    if (page && page.length > 0) return page;
    if (seq > 0) throw new OneBotError('MSG_NOT_FOUND', `群 ${groupId} 没有序号为 ${seq} 的消息`);
    return [];
  }
}

/** Every seq of the page is stored (a page ending at seq < size starts at 1). */
function isComplete(page: StoredMessage[], seq: number, size: number): boolean {
  const top = seq > 0 ? seq : (page.at(-1)?.message_seq ?? 0);
  return page.length > 0 && page.length === Math.min(size, top);
}
