/**
 * The NT-era side of messages: the chat list (recent chats with their unread counts) and read
 * marks, who reacted to a message, forwarding one stored message to another chat, what a voice
 * says, and group gifts.
 */
import type { Ops } from '@cqfleet/sim-client';
import { type Chat, type SentMessage, SimError } from '@cqfleet/sim-client';
import { chatKey, clearAllUnread, clearUnread, unreadCount, voiceText } from './chat-state.js';
import { getMessage, groupSender, sendToChat } from './messages.js';
import { now, type WorldState } from './state.js';

type RecentChat = Ops['get_recent_contacts']['result'][number];
type Reactor = Ops['get_reactions']['result'][number];

/** The actor's most recent chats, newest first, with their last message and unread count. */
export function recentContacts(w: WorldState, actor: number, count: number): RecentChat[] {
  const u = w.user(actor);
  // `recent` is in the order chats were last active (messages.ts touchRecent).
  return [...u.recent.values()]
    .reverse()
    .slice(0, Math.max(0, count))
    .map(r => {
      const g = r.chat_type === 'group' ? w.groups.get(r.peer_id) : undefined;
      const m =
        r.chat_type === 'group'
          ? g?.messages.get(r.seq)
          : w.users.get(r.sender_id)?.sent.get(r.seq);
      const person = w.users.get(r.sender_id)?.profile;
      const lastSender =
        g && m
          ? groupSender(w, g, r.sender_id, g.messages.get(r.seq)?.anonymous ?? null, m.sender_name)
          : {
              user_id: r.sender_id,
              nickname: person?.nickname ?? m?.sender_name ?? '',
              card: '',
              role: 'member' as const,
              title: '',
              level: '',
              sex: person?.sex ?? 'unknown',
              age: person?.age ?? 0,
              area: '',
            };
      return {
        chat_type: r.chat_type,
        peer_id: r.peer_id,
        peer_name: g?.info.group_name ?? w.users.get(r.peer_id)?.profile.nickname ?? '',
        last_seq: r.seq,
        last_time: r.time,
        last_sender_id: r.sender_id,
        last_message: m && !m.recalled ? m.elements : [],
        remark: r.chat_type === 'private' ? (u.friends.get(r.peer_id)?.remark ?? '') : '',
        unread: unreadCount(w, actor, chatKey(r.chat_type, r.peer_id)),
        last_sender: lastSender,
      };
    });
}

/** Reads a group (which the actor must be in) or a private chat: its unread count becomes 0. */
export function markRead(w: WorldState, actor: number, groupId?: number, userId?: number): void {
  if (groupId !== undefined) {
    w.memberGroup(actor, groupId);
    clearUnread(w, actor, chatKey('group', groupId));
  } else if (userId !== undefined) {
    w.user(userId, 'FRIEND_NOT_FOUND');
    clearUnread(w, actor, chatKey('private', userId));
  } else {
    throw new SimError('BAD_REQUEST', 'mark_read needs group_id or user_id');
  }
}

export function markAllRead(w: WorldState, actor: number): void {
  w.user(actor);
  clearAllUnread(w, actor);
}

/** Who reacted to a group message with `emojiId`, in the order they did. */
export function reactors(
  w: WorldState,
  actor: number,
  groupId: number,
  seq: number,
  emojiId: string,
): Reactor[] {
  const g = w.memberGroup(actor, groupId);
  const m = g.messages.get(seq);
  if (!m || m.recalled) throw new SimError('MESSAGE_NOT_FOUND', `no message ${seq}`);
  return [...(g.reactions.get(seq)?.get(emojiId) ?? [])].map(uin => ({
    user_id: uin,
    nickname: w.users.get(uin)?.profile.nickname ?? String(uin),
    avatar: w.avatar(uin),
  }));
}

/**
 * Sends a copy of a stored message the actor can see to another chat, as the actor's own
 * message and under the rules of sending (membership, mutes, friendship, risk control). A quote
 * (`reply`) is kept only within the same chat.
 */
export function forwardSingle(
  w: WorldState,
  actor: number,
  from: Chat,
  seq: number,
  senderId: number | undefined,
  to: { group_id?: number; user_id?: number },
): SentMessage {
  const target: Chat | undefined =
    to.group_id !== undefined
      ? { group_id: to.group_id }
      : to.user_id !== undefined
        ? { user_id: to.user_id }
        : undefined;
  if (!target) throw new SimError('BAD_REQUEST', 'forward_single needs to_group_id or to_user_id');
  const m = getMessage(w, actor, from, seq, senderId);
  if (m.recalled) throw new SimError('MESSAGE_NOT_FOUND', `message ${seq} was recalled`);
  // A quote names a seq of its own chat: in another chat it would quote the wrong message.
  const sameChat =
    'group_id' in target
      ? 'group_id' in from && from.group_id === target.group_id
      : 'user_id' in from && from.user_id === target.user_id;
  const elements = sameChat ? m.elements : m.elements.filter(e => e.type !== 'reply');
  return sendToChat(w, actor, target, elements);
}

/** What the voice of a stored message says (chat-state.ts); a message without a voice fails. */
export function voiceTextOf(
  w: WorldState,
  actor: number,
  chat: Chat,
  seq: number,
  senderId?: number,
): { text: string } {
  const m = getMessage(w, actor, chat, seq, senderId);
  const voice = m.elements.find(e => e.type === 'record');
  if (m.recalled || !voice) throw new SimError('RECORD_CONVERT_ERROR', 'the message has no voice');
  return { text: voiceText(w, voice.data.file ?? '') };
}

/** QQ's free group gifts, by id (go-cqhttp's `gift` segment names them 0–13). */
export const GIFTS = [
  '甜Wink',
  '快乐肥宅水',
  '幸运手链',
  '卡布奇诺',
  '猫咪手表',
  '绒绒手套',
  '彩虹糖果',
  '坚强',
  '告白话筒',
  '牵你的手',
  '可爱猫咪',
  '神秘面具',
  '我超忙的',
  '爱心口罩',
];

/**
 * The actor gives a member of the group a gift. The group shows a gray tip, which takes a seq of
 * the group like a message does but is not one (neither history nor recalls reach it); every
 * account in the group, the giver's included, receives the `gift` event.
 */
export function sendGift(
  w: WorldState,
  actor: number,
  groupId: number,
  target: number,
  giftId: number,
): void {
  const g = w.memberGroup(actor, groupId);
  w.member(g, target);
  const name = GIFTS[giftId];
  if (name === undefined) throw new SimError('SEND_MSG_API_ERROR', `no gift ${giftId} (0 to 13)`);
  const member = w.member(g, actor);
  const t = now();
  if (member.shut_up_timestamp > t)
    throw new SimError('SEND_MSG_API_ERROR', 'send gift failed: blocked by server (muted)');
  const seq = w.nextGroupSeq(g);
  w.emitToGroup(g, {
    kind: 'gift',
    time: t,
    group_id: groupId,
    seq,
    sender_id: actor,
    target_id: target,
    gift_id: giftId,
    gift_name: name,
  });
}
