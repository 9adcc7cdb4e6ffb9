/**
 * Recalling messages (group and private), essence messages and reactions: what is done to a
 * message once it is sent, under QQ's rules.
 */
import { SimError, type SimEssence } from '@cqfleet/sim-client';
import { chatKey, forgetUnread } from './chat-state.js';
import type { ChatRef } from './messages.js';
import { now, RECALL_WINDOW_S, type WorldState } from './state.js';
import { checkReaction } from './text-limits.js';

export function recall(
  w: WorldState,
  actor: number,
  chat: ChatRef,
  seq: number,
  senderId: number,
): void {
  const t = now();
  if (chat.group_id) {
    const g = w.memberGroup(actor, chat.group_id);
    const m = g.messages.get(seq);
    if (!m || m.recalled)
      throw new SimError('RECALL_API_ERROR', 'message not found or already recalled');
    const own = m.sender_id === actor;
    if (
      own
        ? t - m.time > RECALL_WINDOW_S && !w.isManager(g, actor)
        : !w.outranks(g, actor, m.sender_id)
    )
      throw new SimError(
        'RECALL_API_ERROR',
        own ? 'too late to recall' : 'no permission to recall this message',
      );
    m.recalled = true;
    forgetUnread(w, g.members.keys(), chatKey('group', g.info.group_id), String(seq));
    w.emitToGroup(g, {
      kind: 'group_recall',
      time: t,
      group_id: g.info.group_id,
      user_id: m.sender_id,
      operator_id: actor,
      seq,
    });
    return;
  }
  const m = w.users.get(senderId)?.sent.get(seq);
  if (!m || m.recalled)
    throw new SimError('RECALL_API_ERROR', 'message not found or already recalled');
  if (m.sender_id !== actor)
    throw new SimError('CANNOT_RECALL_FRIEND_MSG', 'only the sender can recall a private message');
  if (t - m.time > RECALL_WINDOW_S) throw new SimError('RECALL_API_ERROR', 'too late to recall');
  m.recalled = true;
  if (m.target_id !== undefined) {
    forgetUnread(w, [m.target_id], chatKey('private', actor), `${actor}:${seq}`);
    w.emit(m.target_id, { kind: 'friend_recall', time: t, user_id: actor, seq });
  }
}

export function setEssence(
  w: WorldState,
  actor: number,
  groupId: number,
  seq: number,
  enable: boolean,
): void {
  const g = w.memberGroup(actor, groupId);
  if (!w.isManager(g, actor))
    throw new SimError('SET_ESSENCE_MSG_ERROR', 'only admins set essence messages');
  const m = g.messages.get(seq);
  if (!m || m.recalled) throw new SimError('SET_ESSENCE_MSG_ERROR', 'message not found');
  const t = now();
  if (enable) {
    if (g.essence.has(seq))
      throw new SimError('SET_ESSENCE_MSG_ERROR', 'already an essence message');
    g.essence.set(seq, {
      sender_id: m.sender_id,
      sender_nick: m.sender_name,
      sender_time: m.time,
      operator_id: actor,
      operator_nick: w.displayName(g, actor),
      operator_time: t,
      seq,
    });
  } else if (!g.essence.delete(seq)) {
    throw new SimError('SET_ESSENCE_MSG_ERROR', 'not an essence message');
  }
  // Not reported to the account that did it (go-cqhttp).
  w.emitToGroup(
    g,
    {
      kind: 'essence',
      time: t,
      group_id: groupId,
      sender_id: m.sender_id,
      operator_id: actor,
      seq,
      sub_type: enable ? 'add' : 'delete',
    },
    actor,
  );
}

/** The group's essence messages: a mark lasts as long as its message is kept (messages.ts). */
export function essenceList(w: WorldState, actor: number, groupId: number): SimEssence[] {
  return [...w.memberGroup(actor, groupId).essence.values()];
}

/**
 * Adds or removes the actor's reaction; the group's other accounts see the change with the
 * count after it. What changes nothing (a reaction already there, one that is not) tells nobody.
 */
export function react(
  w: WorldState,
  actor: number,
  groupId: number,
  seq: number,
  emojiId: string,
  set: boolean,
): void {
  const g = w.memberGroup(actor, groupId);
  const m = g.messages.get(seq);
  if (!m || m.recalled) throw new SimError('MESSAGE_NOT_FOUND', `no message ${seq}`);
  checkReaction(emojiId, set, g.reactions.get(seq));
  let byEmoji = g.reactions.get(seq);
  if (!byEmoji) g.reactions.set(seq, (byEmoji = new Map()));
  const users = byEmoji.get(emojiId) ?? new Set<number>();
  if (users.has(actor) === set) return;
  if (set) users.add(actor);
  else users.delete(actor);
  if (users.size > 0) byEmoji.set(emojiId, users);
  else byEmoji.delete(emojiId);
  w.emitToGroup(
    g,
    {
      kind: 'reaction',
      time: now(),
      group_id: groupId,
      user_id: actor,
      seq,
      emoji_id: emojiId,
      set,
      count: users.size,
    },
    actor,
  );
}
