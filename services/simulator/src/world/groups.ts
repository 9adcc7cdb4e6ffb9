/**
 * Group administration with QQ's rules: only the owner and admins kick, mute, rename and set
 * cards (admins only over plain members); only the owner sets admins and special titles;
 * anybody may leave, only the owner dismisses.
 */
import {
  SimError,
  type SimGroup,
  type SimHonorInfo,
  type SimHonorMember,
  type SimMember,
  type SimNotice,
} from '@cqfleet/sim-client';
import {
  AT_ALL_PER_GROUP,
  AT_ALL_PER_USER,
  type GroupState,
  MAX_BAN_S,
  newId,
  now,
  today,
  type WorldState,
} from './state.js';

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
  m.title = title;
  w.emitToGroup(g, { kind: 'title', time: now(), group_id: groupId, user_id: userId, title });
}

export function setPortrait(w: WorldState, actor: number, groupId: number, image: string): void {
  const g = w.memberGroup(actor, groupId);
  w.requireManager(g, actor);
  g.portrait = image;
}

export function signIn(w: WorldState, actor: number, groupId: number): void {
  w.memberGroup(actor, groupId).signed.add(actor);
}

export function atAllRemain(w: WorldState, actor: number, groupId: number) {
  const g = w.memberGroup(actor, groupId);
  const fresh = g.atAll.day !== today();
  const groupLeft = AT_ALL_PER_GROUP - (fresh ? 0 : g.atAll.groupUsed);
  const mineLeft = Math.min(
    groupLeft,
    AT_ALL_PER_USER - (fresh ? 0 : (g.atAll.byUser.get(actor) ?? 0)),
  );
  const manager = w.isManager(g, actor);
  return {
    can_at_all: manager && mineLeft > 0,
    remain_at_all_count_for_group: groupLeft,
    remain_at_all_count_for_uin: manager ? mineLeft : 0,
  };
}

const HONOR_TEXT = {
  talkative: '龙王',
  performer: '群聊之火',
  legend: '群聊炽焰',
  strong_newbie: '冒尖小春笋',
  emotion: '快乐源泉',
} as const;
export type HonorType = keyof typeof HONOR_TEXT;

export function honorInfo(w: WorldState, actor: number, groupId: number): SimHonorInfo {
  const g = w.memberGroup(actor, groupId);
  const list = (type: HonorType): SimHonorMember[] =>
    g.honors[type].map(uin => ({
      user_id: uin,
      nickname: w.displayName(g, uin),
      avatar: w.avatar(uin),
      description: HONOR_TEXT[type],
    }));
  const talkative = g.honors.talkative.at(-1);
  return {
    group_id: groupId,
    ...(talkative !== undefined
      ? {
          current_talkative: {
            user_id: talkative,
            nickname: w.displayName(g, talkative),
            avatar: w.avatar(talkative),
            day_count: g.honors.talkativeDays,
          },
        }
      : {}),
    talkative_list: list('talkative'),
    performer_list: list('performer'),
    legend_list: list('legend'),
    strong_newbie_list: list('strong_newbie'),
    emotion_list: list('emotion'),
  };
}

/** A member earns an honour; talkative, performer and emotion are announced. */
export function earnHonor(w: WorldState, groupId: number, userId: number, type: HonorType): void {
  const g = w.group(groupId);
  w.member(g, userId);
  g.honors[type] = [...g.honors[type].filter(u => u !== userId), userId];
  if (type === 'talkative') g.honors.talkativeDays++;
  if (type === 'talkative' || type === 'performer' || type === 'emotion')
    w.emitToGroup(g, {
      kind: 'honor',
      time: now(),
      group_id: groupId,
      user_id: userId,
      honor_type: type,
    });
}

export function shutList(w: WorldState, actor: number, groupId: number): SimMember[] {
  const t = now();
  return [...w.memberGroup(actor, groupId).members.values()]
    .filter(m => m.shut_up_timestamp > t)
    .map(m => ({ ...m }));
}

export function sendNotice(
  w: WorldState,
  actor: number,
  groupId: number,
  content: string,
  image?: { id: string; width?: number; height?: number },
): { notice_id: string } {
  const g = w.memberGroup(actor, groupId);
  w.requireManager(g, actor, 'PERMISSION_DENIED');
  if (content.trim() === '') throw new SimError('SEND_NOTICE_ERROR', 'a notice needs content');
  const notice: SimNotice = {
    notice_id: newId(),
    sender_id: actor,
    publish_time: now(),
    message: {
      text: content,
      images: image
        ? [{ height: String(image.height ?? 0), width: String(image.width ?? 0), id: image.id }]
        : [],
    },
  };
  g.notices.unshift(notice);
  return { notice_id: notice.notice_id };
}

export function notices(w: WorldState, actor: number, groupId: number): SimNotice[] {
  return w.memberGroup(actor, groupId).notices;
}

export function deleteNotice(
  w: WorldState,
  actor: number,
  groupId: number,
  noticeId: string,
): void {
  const g = w.memberGroup(actor, groupId);
  w.requireManager(g, actor, 'PERMISSION_DENIED');
  const before = g.notices.length;
  g.notices = g.notices.filter(n => n.notice_id !== noticeId);
  if (g.notices.length === before)
    throw new SimError('DELETE_NOTICE_ERROR', `no notice ${noticeId}`);
}
