/**
 * Messages: sending to groups and people (friends or temporary sessions) under QQ's rules, each
 * send marking the chat recent (and unread) for its receivers; reading stored messages back.
 * Recall, essence and reactions are in recall-essence.ts, forwards and red packets forwards.ts;
 * how large a message may be, message-limits.ts.
 */
import { isEmptyMessage, type Segment } from '@cqfleet/onebot';
import {
  type Chat,
  type SentMessage,
  SimError,
  type SimAnonymous,
  type SimGroupHistoryMessage,
  type SimGroupSender,
  type SimStoredMessage,
} from '@cqfleet/sim-client';
import { bumpUnread, chatKey, clearUnread, noteVoiceTexts } from './chat-state.js';
import { deliverable } from './elements.js';
import { checkMessageSize } from './message-limits.js';
import {
  AT_ALL_PER_GROUP,
  AT_ALL_PER_USER,
  type GroupState,
  now,
  today,
  type WorldState,
} from './state.js';

const ANONYMOUS_UIN = 80000000;

/** A group (group_id) or a private chat (user_id). */
export type ChatRef = { group_id?: number; user_id?: number };

function refuseIfRiskControlled(w: WorldState, actor: number): void {
  if (w.users.get(actor)?.faults.refuseSends)
    throw new SimError('SEND_MSG_API_ERROR', 'send message failed: 账号可能被风控 (risk control)');
}

/** Applies @all rules: managers spend the daily quota, plain members send the words instead. */
function applyAtAll(w: WorldState, g: GroupState, actor: number, elements: Segment[]): Segment[] {
  if (!elements.some(e => e.type === 'at' && e.data.qq === 'all')) return elements;
  const day = today();
  if (g.atAll.day !== day) g.atAll = { day, groupUsed: 0, byUser: new Map() };
  if (!w.isManager(g, actor))
    return elements.map(e =>
      e.type === 'at' && e.data.qq === 'all' ? { type: 'text', data: { text: '@全体成员' } } : e,
    );
  const mine = g.atAll.byUser.get(actor) ?? 0;
  if (g.atAll.groupUsed >= AT_ALL_PER_GROUP || mine >= AT_ALL_PER_USER)
    throw new SimError('SEND_MSG_API_ERROR', 'send group message failed: no @all left today');
  g.atAll.groupUsed++;
  g.atAll.byUser.set(actor, mine + 1);
  return elements;
}

/** Takes the `anonymous` element out and says whether the message goes out anonymously. */
function applyAnonymous(
  g: GroupState,
  actor: number,
  elements: Segment[],
): [Segment[], SimAnonymous | null] {
  const el = elements.find(e => e.type === 'anonymous');
  if (!el) return [elements, null];
  const rest = elements.filter(e => e.type !== 'anonymous');
  if (!g.anonymousAllowed) {
    if (el.data.ignore === '1' || el.data.ignore === 'true') return [rest, null];
    throw new SimError(
      'SEND_MSG_API_ERROR',
      'send group message failed: anonymous chat is disabled',
    );
  }
  let anon = g.anonymousIds.get(actor);
  if (!anon) {
    const id = 0x10000 + g.anonymousIds.size;
    const name = `匿名者${g.anonymousIds.size + 1}`;
    anon = { id, name, flag: `${id}|${name}` };
    g.anonymousIds.set(actor, anon);
  }
  if ((g.anonymousBans.get(anon.flag) ?? 0) > now())
    throw new SimError(
      'SEND_MSG_API_ERROR',
      'send group message failed: anonymous sender is muted',
    );
  return [rest, anon];
}

function touchRecent(
  w: WorldState,
  uin: number,
  chat: 'group' | 'private',
  peer: number,
  seq: number,
  time: number,
  sender: number,
): void {
  const key = chatKey(chat, peer);
  const recent = w.users.get(uin)?.recent;
  // Kept in the order chats were last active (a Map keeps first insertion otherwise).
  recent?.delete(key);
  recent?.set(key, {
    chat_type: chat,
    peer_id: peer,
    seq,
    time,
    sender_id: sender,
  });
  // Sending to a chat reads it (QQ opens it); a message from someone else is unread.
  if (uin === sender) clearUnread(w, uin, key);
  else bumpUnread(w, uin, key, chat === 'group' ? String(seq) : `${sender}:${seq}`);
}

/** How a group message's sender looks to the group: the member as they are now, or anonymous. */
export function groupSender(
  w: WorldState,
  g: GroupState,
  senderId: number,
  anonymous: SimAnonymous | null,
  fallbackName = '',
): SimGroupSender {
  const member = g.members.get(senderId);
  if (anonymous || !member)
    return {
      user_id: anonymous ? ANONYMOUS_UIN : senderId,
      nickname: anonymous ? '匿名消息' : (w.users.get(senderId)?.profile.nickname ?? fallbackName),
      card: '',
      role: 'member',
      title: '',
      level: '',
      sex: 'unknown',
      age: 0,
      area: '',
    };
  return {
    user_id: senderId,
    nickname: member.nickname,
    card: member.card,
    role: member.role,
    title: member.title,
    level: member.level,
    sex: member.sex,
    age: member.age,
    area: member.area,
  };
}

/**
 * A member reads the group's history (QQ's roaming messages): of the `count` seqs ending at
 * `seq` (the latest when 0), the messages that still exist and were not recalled, oldest
 * first, shaped like the `group_message` event, senders as they are now.
 */
export function groupMessages(
  w: WorldState,
  actor: number,
  groupId: number,
  seq: number,
  count: number,
): SimGroupHistoryMessage[] {
  const g = w.memberGroup(actor, groupId);
  const to = seq > 0 ? seq : (g.log.at(-1) ?? 0);
  const out: SimGroupHistoryMessage[] = [];
  for (let s = Math.max(1, to - Math.max(1, count) + 1); s <= to; s++) {
    const m = g.messages.get(s);
    if (!m || m.recalled) continue;
    out.push({
      time: m.time,
      group_id: groupId,
      seq: s,
      sender: groupSender(w, g, m.sender_id, m.anonymous, m.sender_name),
      anonymous: m.anonymous,
      elements: m.elements,
    });
  }
  return out;
}

export function sendGroupMessage(
  w: WorldState,
  actor: number,
  groupId: number,
  input: Segment[],
): SentMessage {
  const g = w.memberGroup(actor, groupId);
  refuseIfRiskControlled(w, actor);
  if (isEmptyMessage(input)) throw new SimError('EMPTY_MSG_ERROR', 'empty message');
  checkMessageSize(input);
  const member = w.member(g, actor);
  const t = now();
  if (member.shut_up_timestamp > t)
    throw new SimError(
      'SEND_MSG_API_ERROR',
      'send group message failed: blocked by server (muted)',
    );
  if (g.wholeBan && !w.isManager(g, actor))
    throw new SimError(
      'SEND_MSG_API_ERROR',
      'send group message failed: blocked by server (whole group muted)',
    );
  const [withoutAnon, anonymous] = applyAnonymous(g, actor, input);
  noteVoiceTexts(w, withoutAnon);
  const elements = deliverable(w, applyAtAll(w, g, actor, withoutAnon), true);
  const seq = w.nextGroupSeq(g);
  member.last_sent_time = t;
  g.messages.set(seq, {
    seq,
    time: t,
    sender_id: actor,
    sender_name: anonymous?.name ?? w.displayName(g, actor),
    group_id: groupId,
    elements,
    recalled: false,
    anonymous,
  });
  g.log.push(seq);
  w.keepBounded(g.log, old => {
    g.messages.delete(old);
    // Reactions and the essence mark go with their message (both stayed for good before, so a
    // manager marking each message made the essence list grow without end).
    g.reactions.delete(old);
    g.essence.delete(old);
  });
  const sender = groupSender(w, g, actor, anonymous);
  for (const uin of g.members.keys()) touchRecent(w, uin, 'group', groupId, seq, t, actor);
  w.emitToGroup(
    g,
    { kind: 'group_message', time: t, group_id: groupId, seq, sender, anonymous, elements },
    actor,
  );
  return { seq, time: t, elements };
}

export function sendPrivateMessage(
  w: WorldState,
  actor: number,
  to: number,
  input: Segment[],
  tempGroup?: number,
): SentMessage {
  const from = w.user(actor);
  const target = w.users.get(to);
  refuseIfRiskControlled(w, actor);
  if (!target)
    throw new SimError(
      'SEND_MSG_API_ERROR',
      `send private message failed: user ${to} does not exist`,
    );
  if (tempGroup) {
    const g = w.memberGroup(actor, tempGroup);
    if (!g.members.has(to))
      throw new SimError(
        'SEND_MSG_API_ERROR',
        `send temp message failed: ${to} is not in group ${tempGroup}`,
      );
  } else if (!from.friends.has(to) && !target.friends.has(actor)) {
    throw new SimError(
      'SEND_MSG_API_ERROR',
      `send private message failed: ${to} is not a friend of ${actor}`,
    );
  }
  if (isEmptyMessage(input)) throw new SimError('EMPTY_MSG_ERROR', 'empty message');
  checkMessageSize(input);
  noteVoiceTexts(w, input);
  const elements = deliverable(w, input, false);
  const seq = from.nextPrivateSeq++;
  const t = now();
  const record: SimStoredMessage = {
    seq,
    time: t,
    sender_id: actor,
    sender_name: from.profile.nickname,
    target_id: to,
    elements,
    recalled: false,
  };
  from.sent.set(seq, record);
  for (const u of [from, target]) {
    u.privateLog.push(record);
    w.keepBounded(u.privateLog);
  }
  if (from.sent.size > w.chatLogSize) from.sent.delete(from.sent.keys().next().value!);
  touchRecent(w, actor, 'private', to, seq, t, actor);
  touchRecent(w, to, 'private', actor, seq, t, actor);
  const p = from.profile;
  w.emit(to, {
    kind: 'private_message',
    time: t,
    seq,
    sender: { user_id: actor, nickname: p.nickname, sex: p.sex, age: p.age },
    target_id: to,
    ...(tempGroup ? { temp_source: tempGroup } : {}),
    elements,
  });
  return { seq, time: t, elements };
}

export function sendToChat(
  w: WorldState,
  actor: number,
  chat: Chat,
  elements: Segment[],
): SentMessage {
  return 'group_id' in chat
    ? sendGroupMessage(w, actor, chat.group_id, elements)
    : sendPrivateMessage(w, actor, chat.user_id, elements);
}

/** A stored message the actor can see. */
export function getMessage(
  w: WorldState,
  actor: number,
  chat: ChatRef,
  seq: number,
  senderId?: number,
): SimStoredMessage {
  if (chat.group_id) {
    const m = w.memberGroup(actor, chat.group_id).messages.get(seq);
    if (!m) throw new SimError('MESSAGE_NOT_FOUND', `no message ${seq} in group ${chat.group_id}`);
    return m;
  }
  const sender = senderId ?? actor;
  const m = w.users.get(sender)?.sent.get(seq);
  if (!m || (m.sender_id !== actor && m.target_id !== actor))
    throw new SimError('MESSAGE_NOT_FOUND', `no private message ${sender}/${seq}`);
  return m;
}
