/**
 * The history answers that may need the QQ side: go-cqhttp fetches forward messages and group
 * history from QQ's servers every time; history answers from Redis when it has the answer and
 * otherwise asks the account's session worker (qq-side.ts), storing what comes back so the
 * next call does not ask again.
 */
import type { ForwardNodeRecord } from '@cqfleet/contracts';
import { type MessageFormat, OneBotError } from '@cqfleet/onebot';
import { expandForward, type ForwardNodeView } from './forward-view.js';
import type { QQSideLink } from './qq-side.js';
import {
  HISTORY_PAGE,
  MAX_GROUP_PAGE,
  type MessageStore,
  type StoredMessage,
} from '@cqfleet/history-store';

export type { ForwardNodeView } from './forward-view.js';

export class QQBacked {
  constructor(
    private readonly store: MessageStore,
    private readonly qq: QQSideLink,
  ) {}

  /** A forward's nodes: an upstream account (`owner`) reads (and stores) only its own copy. */
  private async forwardNodes(
    selfId: number,
    owner: number | undefined,
    resid: string,
  ): Promise<ForwardNodeRecord[]> {
    const stored = await this.store.getForward(resid, owner);
    if (stored) return stored;
    const nodes = await this.qq.read(selfId, 'forward', { resid });
    await this.store.putForward(resid, nodes, owner);
    return nodes;
  }

  /**
   * get_forward_msg's nodes; a node that is only a nested forward carries the nested nodes, in
   * one budget for the whole answer (forward-view.ts). `signal` is the action's: once it fires
   * no more is read.
   */
  async forward(
    selfId: number,
    resid: string,
    format: MessageFormat,
    signal?: AbortSignal,
  ): Promise<ForwardNodeView[]> {
    const owner = (await this.qq.trust(selfId)) === 'own' ? selfId : undefined;
    return expandForward(resid, id => this.forwardNodes(selfId, owner, id), format, signal);
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
