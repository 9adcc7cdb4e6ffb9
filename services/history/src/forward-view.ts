/**
 * get_forward_msg's answer: a forward's nodes, where a node that is only a nested forward
 * carries the nested forward's nodes in its `content`.
 *
 * The nodes come from Redis or from the account's QQ side — for an upstream account, from
 * whatever its upstream answers. Expanding every nested forward as it comes is a bomb: 200
 * nodes each naming a forward of 200 nodes each naming … is 200^8 node views and reads, and an
 * upstream answering forward X with nodes that are forward X again never ends but by depth.
 * History is shared by every tenant, so one answer is held to one budget:
 *
 * - at most {@link MAX_NODES} nodes in all (the top list included), as many as a forward sent
 *   through cqfleet may hold (`@cqfleet/onebot` message-limits.ts), in at most
 *   {@link MAX_LEVELS} levels of lists, and at most {@link MAX_ANSWER_BYTES} of them (their
 *   JSON): an upstream answers nodes as large as it likes, and every list read is held until
 *   the answer is done;
 * - each resid is read at most once per answer (the same forward named twice shows twice, but
 *   costs one read) and a resid already on the way from the top is not expanded again (a loop);
 * - nested lists are expanded level by level, in order, so what fits the budget is the top of
 *   the tree, the same for every call;
 * - the action's signal (it fires when the caller was answered TIMEOUT) is checked before each
 *   read: work for nobody stops.
 *
 * A nested forward past the budget (or a loop, or past the depth) stays the forward segment it
 * is — what go-cqhttp shows for a forward it does not expand — instead of failing the call: the
 * answer is still true, a client can ask get_forward_msg for that id on its own, and a large but
 * honest forward stays readable. A nested list is expanded whole or not at all, never cut.
 * The top list is shown whole even when it alone is over the budget (only an upstream can
 * answer so: QQ caps a list at 200 nodes): it is the one read the caller asked for, already in
 * memory; it only leaves nothing to expand.
 */
import type { ForwardNodeRecord } from '@cqfleet/contracts';
import { formatMessage, MESSAGE_LIMITS, type MessageFormat } from '@cqfleet/onebot';

/** Nodes in one answer, nested ones included. */
export const MAX_NODES = MESSAGE_LIMITS.forwardTotalNodes.max;
/** Levels of node lists in one answer, the top list being the first. */
export const MAX_LEVELS = MESSAGE_LIMITS.forwardDepth.max;
/** Bytes (JSON) of the nodes in one answer; the top list counts, and is shown whole. */
export const MAX_ANSWER_BYTES = 16 * 1024 * 1024;
/**
 * Nested forwards read at once for one answer: a level of 200 forwards that Redis lacks is not
 * 200 QQ-side reads of one account at the same moment, and reads stop soon after the budget is
 * spent (at most this many are read that are not then shown).
 */
const READS_IN_FLIGHT = 8;

export interface ForwardNodeView {
  sender: { user_id: number; nickname: string };
  time: number;
  content: unknown;
  group_id?: number;
}

/** A node's nested forward, not yet expanded. */
interface Pending {
  view: ForwardNodeView;
  resid: string;
  /** The resids from the top down to the list holding this node. */
  path: readonly string[];
}

/** The resid of a node that is only a forward segment, or '' when it is anything else. */
function nestedResid(n: ForwardNodeRecord): string {
  const only = n.message.length === 1 ? n.message[0] : undefined;
  return only?.type === 'forward' ? String(only.data.id ?? '') : '';
}

/**
 * The answer for `resid`; `read` gives a forward's nodes (and may fail: that fails the call,
 * as it did before). Rejects with the signal's reason once it fires.
 */
export async function expandForward(
  resid: string,
  read: (resid: string) => Promise<ForwardNodeRecord[]>,
  format: MessageFormat,
  signal?: AbortSignal,
): Promise<ForwardNodeView[]> {
  const reads = new Map<string, Promise<ForwardNodeRecord[]>>();
  const readOnce = (id: string): Promise<ForwardNodeRecord[]> => {
    let nodes = reads.get(id);
    if (!nodes) {
      nodes = read(id);
      reads.set(id, nodes);
    }
    return nodes;
  };

  let level: Pending[] = [];
  /** Views of `nodes` (the list reached through `path`); nested forwards to expand go to `into`. */
  const views = (nodes: ForwardNodeRecord[], path: readonly string[], into: Pending[]) =>
    nodes.map(n => {
      const view: ForwardNodeView = {
        sender: { user_id: n.user_id, nickname: n.nickname },
        time: n.time,
        content: formatMessage(n.message, format),
        ...(n.group_id !== undefined ? { group_id: n.group_id } : {}),
      };
      const nested = nestedResid(n);
      if (nested && path.length < MAX_LEVELS && !path.includes(nested))
        into.push({ view, resid: nested, path });
      return view;
    });

  signal?.throwIfAborted();
  const top = await readOnce(resid);
  const answer = views(top, [resid], level);
  let budget = MAX_NODES - top.length;
  let bytes = MAX_ANSWER_BYTES - jsonLength(top);
  while (level.length > 0 && budget > 0 && bytes > 0) {
    const next: Pending[] = [];
    for (let i = 0; i < level.length && budget > 0 && bytes > 0; i += READS_IN_FLIGHT) {
      signal?.throwIfAborted();
      const chunk = level.slice(i, i + READS_IN_FLIGHT);
      const lists = await Promise.all(chunk.map(p => readOnce(p.resid)));
      chunk.forEach((p, j) => {
        const nodes = lists[j]!;
        if (nodes.length > budget) return;
        const size = jsonLength(nodes);
        if (size > bytes) return;
        budget -= nodes.length;
        bytes -= size;
        p.view.content = views(nodes, [...p.path, p.resid], next);
      });
    }
    level = next;
  }
  return answer;
}

/** What a list of nodes takes as JSON (the answer's own measure). */
function jsonLength(nodes: readonly ForwardNodeRecord[]): number {
  return Buffer.byteLength(JSON.stringify(nodes));
}
