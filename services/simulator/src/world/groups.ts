/**
 * Group membership and administration with QQ's rules: only the owner and admins kick, mute,
 * rename and set cards (admins only over plain members); only the owner sets admins and special
 * titles; anybody may leave, only the owner dismisses. Honours, notices, sign-ins and the @all
 * quota are in honors-notices.ts.
 */
import { SimError, type SimGroup, type SimMember } from '@cqfleet/sim-client';
import { type GroupState, MAX_BAN_S, now, type WorldState } from './state.js';
import { checkCard, checkGroupName, checkTitle } from './text-limits.js';

export function groupInfo(g: GroupState): SimGroup {
  return { ...g.info, member_count: g.members.size };
}

export function requireOutranks(w: WorldState, g: GroupState, actor: number, target: number): void {
  w.member(g, target);
  if (!w.outranks(g, actor, target))
    throw new SimError(
      'NOT_MANAGEABLE',
      `${actor} cannot manage ${target} in group ${g.info.group_id}`,
    );
}

/**
 * Removes a member; every account in the group hears of it (the kicked one as kick_me), and the
 * member's own settings for the group (remark, message mask) are dropped.
 */
export function removeMember(
  w: WorldState,
  g: GroupState,
  userId: number,
  operator: number,
  how: 'leave' | 'kick',
): void {
  const t = now();
  w.emitToGroup(
    g,
    {
      kind: 'group_decrease',
      time: t,
      group_id: g.info.group_id,
      user_id: userId,
      operator_id: operator,
      sub_type: how,
    },
    userId,
  );
  if (how === 'kick')
    w.emit(userId, {
      kind: 'group_decrease',
      time: t,
      group_id: g.info.group_id,
      user_id: userId,
      operator_id: operator,
      sub_type: 'kick_me',
    });
  g.members.delete(userId);
  // What the account kept for the group goes with it: a new membership starts afresh.
  g.nt?.remarks.delete(userId);
  g.nt?.msgMasks.delete(userId);
}

/** Adds a member; go-cqhttp reports every join as `approve` with operator 0, and so does this. */
export function addMember(w: WorldState, g: GroupState, userId: number): void {
  const p = w.user(userId).profile;
  const t = now();
  g.members.set(userId, {
    group_id: g.info.group_id,
    user_id: userId,
    nickname: p.nickname,
    card: '',
    sex: p.sex,
    age: p.age,
    area: '',
    join_time: t,
    last_sent_time: 0,
    level: String(p.level),
    role: 'member',
    title: '',
    title_expire_time: 0,
    shut_up_timestamp: 0,
  });
  w.emitToGroup(g, {
    kind: 'group_increase',
    time: t,
    group_id: g.info.group_id,
    user_id: userId,
    operator_id: 0,
    sub_type: 'approve',
  });
}

export function kick(
  w: WorldState,
  actor: number,
  groupId: number,
  userId: number,
  rejectAddRequest: boolean,
): void {
  const g = w.memberGroup(actor, groupId);
  requireOutranks(w, g, actor, userId);
  removeMember(w, g, userId, actor, 'kick');
  if (rejectAddRequest) g.blocked.add(userId);
}

export function ban(
  w: WorldState,
  actor: number,
  groupId: number,
  userId: number,
  duration: number,
): void {
  const g = w.memberGroup(actor, groupId);
  w.member(g, userId, 'GROUP_NOT_FOUND');
  if (!w.outranks(g, actor, userId))
    throw new SimError('NOT_MANAGEABLE', `${actor} cannot mute ${userId}`);
  if (duration < 0 || duration >= MAX_BAN_S)
    throw new SimError('DURATION_IS_NOT_IN_RANGE', `duration must be below ${MAX_BAN_S} s`);
  const t = now();
  g.members.get(userId)!.shut_up_timestamp = duration > 0 ? t + duration : 0;
  w.emitToGroup(g, {
    kind: 'group_ban',
    time: t,
    group_id: groupId,
    user_id: userId,
    operator_id: actor,
    duration,
    sub_type: duration > 0 ? 'ban' : 'lift_ban',
  });
}

export function banAnonymous(
  w: WorldState,
  actor: number,
  groupId: number,
  flag: string,
  duration: number,
): void {
  const g = w.memberGroup(actor, groupId);
  if (!/^\d+\|.+/.test(flag))
    throw new SimError('INVALID_FLAG', 'anonymous flag must be "id|name"');
  w.requireManager(g, actor, 'CALL_API_ERROR');
  if (![...g.anonymousIds.values()].some(a => a.flag === flag))
    throw new SimError('INVALID_FLAG', 'no such anonymous sender');
  g.anonymousBans.set(flag, now() + Math.max(0, duration));
}

export function wholeBan(w: WorldState, actor: number, groupId: number, enable: boolean): void {
  const g = w.memberGroup(actor, groupId);
  w.requireManager(g, actor);
  g.wholeBan = enable;
  w.emitToGroup(g, {
    kind: 'group_ban',
    time: now(),
    group_id: groupId,
    user_id: 0,
    operator_id: actor,
    duration: enable ? -1 : 0,
    sub_type: enable ? 'ban' : 'lift_ban',
  });
}

export function shutList(w: WorldState, actor: number, groupId: number): SimMember[] {
  const t = now();
  return [...w.memberGroup(actor, groupId).members.values()]
    .filter(m => m.shut_up_timestamp > t)
    .map(m => ({ ...m }));
}

export function setAdmin(
  w: WorldState,
  actor: number,
  groupId: number,
  userId: number,
  enable: boolean,
): void {
  const g = w.groups.get(groupId);
  if (!g || g.members.get(actor)?.role !== 'owner')
    throw new SimError('PERMISSION_DENIED', 'only the owner sets admins');
  const m = w.member(g, userId, 'GROUP_MEMBER_NOT_FOUND');
  if (m.role === 'owner') throw new SimError('PERMISSION_DENIED', 'the owner is not an admin');
  m.role = enable ? 'admin' : 'member';
  w.emitToGroup(g, {
    kind: 'group_admin',
    time: now(),
    group_id: groupId,
    user_id: userId,
    set: enable,
  });
}

export function setAnonymous(w: WorldState, actor: number, groupId: number, enable: boolean): void {
  const g = w.memberGroup(actor, groupId);
  w.requireManager(g, actor);
  g.anonymousAllowed = enable;
}

export function setCard(
  w: WorldState,
  actor: number,
  groupId: number,
  userId: number,
  card: string,
): void {
  const g = w.memberGroup(actor, groupId);
  const m = w.member(g, userId, 'GROUP_NOT_FOUND');
  if (actor !== userId && !w.outranks(g, actor, userId))
    throw new SimError('NOT_MANAGEABLE', `${actor} cannot set the card of ${userId}`);
  checkCard(card);
  const old = m.card;
  m.card = card;
  if (old !== card)
    w.emitToGroup(g, {
      kind: 'group_card',
      time: now(),
      group_id: groupId,
      user_id: userId,
      card_new: card,
      card_old: old,
    });
}

/** Renames a group; every account in it (the renaming one too) hears of it (NT's group_name). */
export function setGroupName(w: WorldState, actor: number, groupId: number, name: string): void {
  const g = w.memberGroup(actor, groupId);
  w.requireManager(g, actor);
  if (name.trim() === '') throw new SimError('CALL_API_ERROR', 'a group name cannot be empty');
  checkGroupName(name);
  if (g.info.group_name === name) return;
  g.info.group_name = name;
  w.emitToGroup(g, {
    kind: 'group_name',
    time: now(),
    group_id: groupId,
    operator_id: actor,
    name_new: name,
  });
}

export function leave(w: WorldState, actor: number, groupId: number, dismiss: boolean): void {
  const g = w.memberGroup(actor, groupId);
  if (g.members.get(actor)?.role === 'owner') {
    if (!dismiss)
      throw new SimError(
        'PERMISSION_DENIED',
        'the owner can only leave by dismissing the group (is_dismiss)',
      );
    for (const uin of [...g.members.keys()])
      if (uin !== actor)
        w.emit(uin, {
          kind: 'group_decrease',
          time: now(),
          group_id: groupId,
          user_id: uin,
          operator_id: actor,
          sub_type: 'kick_me',
        });
    w.groups.delete(groupId);
    return;
  }
  removeMember(w, g, actor, actor, 'leave');
}

export function setTitle(
  w: WorldState,
  actor: number,
  groupId: number,
  userId: number,
  title: string,
): void {
  const g = w.memberGroup(actor, groupId);
  if (g.members.get(actor)?.role !== 'owner')
    throw new SimError('NOT_MANAGEABLE', 'only the owner sets special titles');
  const m = w.member(g, userId, 'GROUP_NOT_FOUND');
  checkTitle(title);
  m.title = title;
  w.emitToGroup(g, { kind: 'title', time: now(), group_id: groupId, user_id: userId, title });
}

export function setPortrait(w: WorldState, actor: number, groupId: number, image: string): void {
  const g = w.memberGroup(actor, groupId);
  w.requireManager(g, actor);
  g.portrait = image;
}
