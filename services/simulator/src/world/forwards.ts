/**
 * Forward messages (packages of nodes stored under a resid, nested packages stored on their
 * own) and red packets, which a person sends and whose lucky king is announced.
 */
import {
  type Chat,
  type SentMessage,
  SimError,
  type SimForwardNode,
  type SimForwardNodeInput,
} from '@cqfleet/sim-client';
import { deliverable } from './elements.js';
import { checkForward } from './message-limits.js';
import { sendGroupMessage, sendToChat } from './messages.js';
import { newId, now, type WorldState } from './state.js';

/**
 * The forward store keeps the newest packages: at most this many, and this many bytes of
 * content (as checkForward counts it). An older resid reads as MSG_NOT_FOUND, as an expired
 * one does on QQ.
 */
const KEPT_PACKAGES = 10_000;
const KEPT_BYTES = 256 * 1024 * 1024;

/** Content bytes of each kept package, oldest first, and their sum; per world. */
const keptSizes = new WeakMap<WorldState, { sizes: Map<string, number>; bytes: number }>();

function keep(w: WorldState, resid: string, bytes: number): void {
  let kept = keptSizes.get(w);
  if (!kept) keptSizes.set(w, (kept = { sizes: new Map(), bytes: 0 }));
  kept.sizes.set(resid, bytes);
  kept.bytes += bytes;
  for (const [old, size] of kept.sizes) {
    if (kept.sizes.size <= KEPT_PACKAGES && kept.bytes <= KEPT_BYTES) break;
    kept.sizes.delete(old);
    kept.bytes -= size;
    w.forwards.delete(old);
  }
}

/**
 * Stores a forward package (nested packages become their own) and returns its resid. The
 * whole package is checked against the network's limits first (message-limits.ts).
 */
export function storeForward(
  w: WorldState,
  nodes: SimForwardNodeInput[],
  groupId?: number,
): string {
  const bytes = checkForward(nodes);
  return storeChecked(w, nodes, groupId, bytes);
}

function storeChecked(
  w: WorldState,
  nodes: SimForwardNodeInput[],
  groupId: number | undefined,
  bytes: number,
): string {
  const stored: SimForwardNode[] = nodes.map(n => ({
    user_id: n.user_id,
    nickname: n.nickname,
    time: n.time,
    ...(groupId ? { group_id: groupId } : {}),
    elements: n.nodes?.length
      ? [{ type: 'forward', data: { id: storeChecked(w, n.nodes, groupId, 0) } }]
      : deliverable(w, n.elements ?? [], groupId !== undefined),
  }));
  const resid = newId(12);
  w.forwards.set(resid, stored);
  // A nested package is counted with its outer one (it holds the whole package's bytes).
  keep(w, resid, bytes);
  return resid;
}

export function sendForward(
  w: WorldState,
  actor: number,
  chat: Chat,
  nodes: SimForwardNodeInput[],
): SentMessage & { resid: string } {
  if ('group_id' in chat) w.memberGroup(actor, chat.group_id);
  const resid = storeForward(w, nodes, 'group_id' in chat ? chat.group_id : undefined);
  const sent = sendToChat(w, actor, chat, [{ type: 'forward', data: { id: resid } }]);
  return { ...sent, resid };
}

export function getForward(w: WorldState, resid: string): SimForwardNode[] {
  const nodes = w.forwards.get(resid);
  if (!nodes) throw new SimError('MSG_NOT_FOUND', `no forward message ${resid}`);
  return nodes;
}

/** A person sends a red packet; when it is emptied the lucky king is announced. */
export function sendRedPacket(
  w: WorldState,
  actor: number,
  groupId: number,
  title: string,
  luckyKing?: number,
): SentMessage & { lucky_king: number } {
  const sent = sendGroupMessage(w, actor, groupId, [{ type: 'redbag', data: { title } }]);
  const g = w.group(groupId);
  const others = [...g.members.keys()].filter(uin => uin !== actor);
  const king = luckyKing ?? others[Math.floor(Math.random() * others.length)] ?? actor;
  w.emitToGroup(g, {
    kind: 'lucky_king',
    time: now(),
    group_id: groupId,
    sender_id: actor,
    target_id: king,
  });
  return { ...sent, lucky_king: king };
}
