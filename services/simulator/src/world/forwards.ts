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
import { sendGroupMessage, sendToChat } from './messages.js';
import { newId, now, type WorldState } from './state.js';

const MAX_FORWARD_NODES = 200;

/** Stores a forward package (nested packages become their own) and returns its resid. */
export function storeForward(
  w: WorldState,
  nodes: SimForwardNodeInput[],
  groupId?: number,
): string {
  if (nodes.length === 0 || nodes.length > MAX_FORWARD_NODES)
    throw new SimError('EMPTY_NODES', `a forward message needs 1 to ${MAX_FORWARD_NODES} nodes`);
  const stored: SimForwardNode[] = nodes.map(n => ({
    user_id: n.user_id,
    nickname: n.nickname,
    time: n.time,
    ...(groupId ? { group_id: groupId } : {}),
    elements: n.nodes?.length
      ? [{ type: 'forward', data: { id: storeForward(w, n.nodes, groupId) } }]
      : deliverable(w, n.elements ?? [], groupId !== undefined),
  }));
  const resid = newId(12);
  w.forwards.set(resid, stored);
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
