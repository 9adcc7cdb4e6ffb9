/**
 * History's QQ-side reads (@cqfleet/contracts qq-reads.ts) for an account behind an upstream
 * OneBot implementation: the upstream's `get_forward_msg` and `get_group_msg_history`, their
 * answers brought into the form history stores (array segments, go-cqhttp's node shape).
 *
 * What comes back is stored by history (for good, for a forward), so it is held to what was
 * asked and to what QQ itself could hold, by total functions (smoothing.ts), before it leaves:
 * - a forward with a node list over QQ's 200 nodes, or nested deeper than 8 (MESSAGE_LIMITS),
 *   is refused with API_ERROR: QQ holds no such forward, so the answer is not one, and a
 *   cut-off prefix stored under the forward's id would be served as the whole forward for good.
 *   A single node that is not a node (null, a sender id that is no id) is dropped: one node the
 *   upstream could not render says nothing about the others (smoothing.ts `forwardNode`);
 * - nested forwards the upstream sent inline (NapCat: a `forward` segment with its nodes in
 *   `data.content`) are kept up to 1000 nodes in all (`forwardTotalNodes`), as history's
 *   get_forward_msg does (services/history/src/forward-view.ts): level by level from the top,
 *   in order, a nested list kept whole or not at all; one past the budget stays the forward
 *   segment it is, its id without its content, which history reads on its own when asked. A
 *   large but honest forward is readable, and nothing stored is false. Only a nested list
 *   without an id (the spec's node segments as a node's content) cannot be left so: past the
 *   budget it is refused;
 * - a history page keeps only the asked group's messages, one per seq, at most `count` of them
 *   (the newest by seq). It is not held to the seqs from `seq - count` to `seq`: that assumes an
 *   upstream numbers a group's messages one after the other, and NapCat's `message_seq` is not
 *   so numbered, so such a window dropped nearly every message of its pages.
 */
import type { ForwardNodeRecord, QQReadName, QQReads } from '@cqfleet/contracts';
import {
  type GroupMessageEvent,
  MESSAGE_LIMITS,
  type MessageLimit,
  OneBotError,
  toSegments,
} from '@cqfleet/onebot';
import type { OneBotUpstream } from '../driver/driver.js';
import { fromUpstream } from './events.js';
import { parseUpstreamEvent } from './frames.js';
import { forwardNode } from './smoothing.js';
import { idOf, isObject } from './values.js';

type UpstreamReads = {
  [K in QQReadName]: (
    args: QQReads[K]['args'],
    upstream: OneBotUpstream,
    uin: number,
  ) => Promise<QQReads[K]['result']>;
};

export const upstreamReads: UpstreamReads = {
  forward: async ({ resid }, upstream) => {
    // smoothReply has turned a spec `message` of node segments into `messages` already.
    const data = await upstream.action('get_forward_msg', { id: resid, message_id: resid });
    const nodes = isObject(data) && Array.isArray(data.messages) ? data.messages : [];
    const refusal = heldToLimits(nodes);
    if (refusal) throw new OneBotError('API_ERROR', `上游实现的应答: ${refusal}`);
    const out: ForwardNodeRecord[] = [];
    for (const n of nodes) {
      if (!isObject(n)) continue;
      const sender = isObject(n.sender) ? n.sender : {};
      const node = forwardNode({
        user_id: sender.user_id,
        nickname: sender.nickname,
        time: n.time,
        group_id: n.group_id,
        content: n.content ?? n.message,
      });
      if (!node) continue;
      out.push({
        user_id: node.sender.user_id,
        nickname: node.sender.nickname,
        time: node.time,
        ...(node.group_id !== undefined ? { group_id: node.group_id } : {}),
        message: toSegments(node.content as never),
      });
    }
    return out;
  },
  // A message history lacks: the upstream's get_msg (go-cqhttp's reduced shape, or NapCat's
  // whole event) made into the event it would have reported. Unknown there too: null.
  message: async ({ message_id }, upstream, uin) => {
    const data = await upstream.action('get_msg', { message_id }).catch(() => null);
    if (!isObject(data) || idOf(data.message_id) !== message_id) return null;
    const sender = isObject(data.sender) ? data.sender : {};
    const userId = idOf(data.user_id ?? sender.user_id);
    // Without its author a message can be neither stored nor answered (frames.ts refuses it).
    if (userId === undefined) return null;
    const group = data.message_type === 'group' || data.group_id !== undefined;
    const parsed = parseUpstreamEvent({
      post_type: userId === uin ? 'message_sent' : 'message',
      message_type: group ? 'group' : 'private',
      sub_type: group ? 'normal' : 'friend',
      font: 0,
      ...data,
      user_id: userId,
    });
    if (parsed.kind !== 'event') return null;
    const e = fromUpstream(uin, parsed.frame, JSON.stringify(parsed.frame))?.event;
    return e?.post_type === 'message' || e?.post_type === 'message_sent' ? e : null;
  },
  group_messages: async ({ group_id, seq, count }, upstream, uin) => {
    if (!(count > 0)) return [];
    const data = await upstream.action('get_group_msg_history', {
      group_id,
      count,
      ...(seq > 0 ? { message_seq: seq } : {}),
    });
    // Asked for `count`, an upstream may answer more (or another group's) messages: history
    // stores what it is given, so only `count` of the asked group are this read's.
    const bySeq = new Map<number, GroupMessageEvent>();
    for (const m of isObject(data) && Array.isArray(data.messages) ? data.messages : []) {
      const parsed = parseUpstreamEvent(m);
      if (parsed.kind !== 'event') continue;
      const e = fromUpstream(uin, parsed.frame, JSON.stringify(m))?.event;
      if (e?.post_type !== 'message' && e?.post_type !== 'message_sent') continue;
      // A page of another group than the one asked for is not this group's history.
      if (e.message_type !== 'group' || e.group_id !== group_id) continue;
      if (!bySeq.has(e.message_seq)) bySeq.set(e.message_seq, e);
    }
    const page = [...bySeq.values()].sort((a, b) => a.message_seq - b.message_seq);
    return page.slice(-count);
  },
};

const { forwardNodes, forwardTotalNodes, forwardDepth } = MESSAGE_LIMITS;

const wordingOf = (limit: MessageLimit) => limit.wording.replace('{max}', String(limit.max));

/** A node list nested in a node, and how to leave it out (undefined: it has no id to leave). */
interface Nested {
  nodes: readonly unknown[];
  cut?: () => void;
}

/**
 * Holds a forward's answer to the node limits (see the top of this file), leaving out nested
 * content past the total budget; or says which limit it crosses. Nested forwards are found as
 * the upstreams send them: `forward` segments carrying their nodes in `data.content` (NapCat),
 * and a node whose content is node segments (Lagrange, the spec). The answer is this call's own
 * (parsed from the upstream's frame), so content is left out in place. Total, O(n).
 */
function heldToLimits(top: readonly unknown[]): string | undefined {
  // QQ's own caps, anywhere in the tree: a list or a depth past them is no QQ forward.
  const walk = (list: readonly unknown[], depth: number): string | undefined => {
    if (depth > forwardDepth.max) return wordingOf(forwardDepth);
    if (list.length > forwardNodes.max) return wordingOf(forwardNodes);
    for (const node of list)
      for (const nested of nestedIn(node)) {
        const over = walk(nested.nodes, depth + 1);
        if (over) return over;
      }
    return undefined;
  };
  const over = walk(top, 1);
  if (over) return over;
  // The total: the top list, then each level in order while the budget lasts.
  let budget = forwardTotalNodes.max - top.length;
  let level = top.flatMap(nestedIn);
  while (level.length > 0) {
    const next: Nested[] = [];
    for (const nested of level) {
      if (nested.nodes.length <= budget) {
        budget -= nested.nodes.length;
        next.push(...nested.nodes.flatMap(nestedIn));
      } else if (nested.cut) nested.cut();
      else return wordingOf(forwardTotalNodes);
    }
    level = next;
  }
  return undefined;
}

/** The node lists nested in one node (go-cqhttp's `{content}` or a spec node segment). */
function nestedIn(node: unknown): Nested[] {
  if (!isObject(node)) return [];
  const content = node.content ?? node.message ?? (isObject(node.data) ? node.data.content : null);
  if (!Array.isArray(content)) return [];
  if (content.some(s => isObject(s) && s.type === 'node')) return [{ nodes: content }];
  const out: Nested[] = [];
  for (const seg of content)
    if (isObject(seg) && seg.type === 'forward' && isObject(seg.data)) {
      const data = seg.data;
      if (Array.isArray(data.content))
        // Left out, the segment is what go-cqhttp sends for a forward: its id.
        out.push({ nodes: data.content, cut: () => delete data.content });
    }
  return out;
}
