/**
 * What a group keeps besides its members and messages: honours (talkative and the rest, some
 * announced), notices (posted and deleted by managers), daily sign-ins, and the @all quota a
 * member has left today (spent in messages.ts).
 */
import {
  SimError,
  type SimHonorInfo,
  type SimHonorMember,
  type SimNotice,
} from '@cqfleet/sim-client';
import { AT_ALL_PER_GROUP, AT_ALL_PER_USER, newId, now, today, type WorldState } from './state.js';
import { checkNotice, MAX_NOTICES } from './text-limits.js';

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
  checkNotice(content);
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
  g.notices.length = Math.min(g.notices.length, MAX_NOTICES);
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
