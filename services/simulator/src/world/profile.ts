/**
 * The NT-era profile of a user: avatar, long nick, online and custom statuses, friend remarks
 * and categories, profile likes (given and received, with `profile_like` raised at an account
 * that is liked), input status raised at a friend, and friend requests QQ files away as
 * suspicious ("doubtful") instead of announcing them.
 */
import { createHash } from 'node:crypto';
import { type Ops, SimError } from '@cqfleet/sim-client';
import { notKept, rememberAnswered } from './requests.js';
import {
  checkLongNick,
  checkRemark,
  checkStatusWording,
  MAX_KEPT_REQUESTS,
} from './text-limits.js';
import { LIKES_PER_DAY, newId, now, today, type UserState, type WorldState } from './state.js';

export type PeopleState = NonNullable<UserState['people']>;
type LikeRecord = PeopleState['given'] extends Map<number, infer R> ? R : never;
type Result<K extends keyof Ops> = Ops[K]['result'];

/** QQ's default friend categories, the same for every account. */
export const CATEGORIES = [
  { id: 0, name: '我的好友' },
  { id: 1, name: '朋友' },
  { id: 2, name: '家人' },
  { id: 3, name: '同学' },
] as const;

/** Online statuses QQ accepts: online, away, invisible, busy, Q me, do not disturb. */
const STATUSES = new Set([10, 30, 40, 50, 60, 70]);
const ONLINE = 10;
const INVISIBLE = 40;
/** Everyone starts online. */
const INITIAL_STATUS = { status: ONLINE, ext_status: 0, battery_status: 100 };
/** The extended status QQ uses for a custom ("DIY") status. */
export const CUSTOM_EXT_STATUS = 2000;

/** A user's NT-era profile state, made on first use. */
export function peopleOf(w: WorldState, uin: number): PeopleState {
  const u = w.user(uin);
  u.people ??= {
    avatar: '',
    status: { ...INITIAL_STATUS },
    custom: null,
    categoryOf: new Map(),
    given: new Map(),
    received: new Map(),
    lastVisit: 0,
    doubts: new Map(),
  };
  return u.people;
}

/** QQ's opaque user id for a number (NT `uid`): stable, never the number itself. */
export function uidOf(uin: number): string {
  return 'u_' + createHash('sha256').update(`uid:${uin}`).digest('base64url').slice(0, 22);
}

function friendOf(w: WorldState, actor: number, userId: number) {
  const f = w.user(actor).friends.get(userId);
  if (!f || !w.users.get(userId)?.friends.has(actor))
    throw new SimError('FRIEND_NOT_FOUND', `${userId} is not a friend`);
  return f;
}

// --- avatar, long nick, statuses ------------------------------------------------------------

const IMAGE_NAME = /^[0-9a-f]{32}\.image$/;

/** The avatar is an image the network has: an uploaded or received content name. */
export function setAvatar(w: WorldState, actor: number, image: string): void {
  if (!IMAGE_NAME.test(image)) throw new SimError('API_ERROR', `not an image on QQ: ${image}`);
  peopleOf(w, actor).avatar = image;
}

const groupAvatar = (groupId: number) => `https://p.qlogo.cn/gh/${groupId}/${groupId}/0`;

/** A user's avatar (the account's own by default), or a group's: uploaded, else QQ's default. */
export function avatarUrl(w: WorldState, actor: number, userId?: number, groupId?: number) {
  if (userId === undefined && groupId !== undefined) {
    const g = w.group(groupId);
    return { url: g.portrait ? w.mediaUrl('image', g.portrait) : groupAvatar(groupId) };
  }
  const uin = userId ?? actor;
  const avatar = w.users.get(uin)?.people?.avatar;
  return { url: avatar ? w.mediaUrl('image', avatar) : w.avatar(uin) };
}

/** The long nick is the signature every profile read shows (`sign`). */
export function setLongNick(w: WorldState, actor: number, longNick: string): void {
  checkLongNick(longNick);
  const me = w.user(actor);
  me.profile.sign = longNick;
  me.extra.personal_note = longNick;
}

export function setOnlineStatus(
  w: WorldState,
  actor: number,
  s: { status: number; ext_status: number; battery_status: number },
): void {
  if (!STATUSES.has(s.status)) throw new SimError('API_ERROR', `no online status ${s.status}`);
  if (s.battery_status < 0 || s.battery_status > 100)
    throw new SimError('API_ERROR', 'battery_status is 0..100');
  if (s.ext_status < 0) throw new SimError('API_ERROR', 'ext_status is not negative');
  const p = peopleOf(w, actor);
  p.status = { ...s };
  if (s.ext_status !== CUSTOM_EXT_STATUS) p.custom = null;
}

/** A custom status is "online" with QQ's custom extended status and a face and wording. */
export function setCustomStatus(
  w: WorldState,
  actor: number,
  c: { face_id: number; face_type: number; wording: string },
): void {
  if (c.face_id <= 0) throw new SimError('API_ERROR', 'face_id is required');
  checkStatusWording(c.wording);
  const p = peopleOf(w, actor);
  p.status = {
    status: ONLINE,
    ext_status: CUSTOM_EXT_STATUS,
    battery_status: p.status.battery_status,
  };
  p.custom = { face_id: c.face_id, face_type: c.face_type || 1, wording: c.wording };
}

/** What `viewer` sees of `userId`'s status: someone invisible looks offline to others. */
export function userStatus(
  w: WorldState,
  viewer: number,
  userId: number,
): Result<'get_user_status'> {
  const p = w.user(userId, 'SUMMARY_API_ERROR').people;
  if (!p) return { ...INITIAL_STATUS, custom: null };
  if (p.status.status === INVISIBLE && viewer !== userId)
    return { status: 0, ext_status: 0, battery_status: 0, custom: null };
  return { ...p.status, custom: p.custom && { ...p.custom } };
}

/** Tells a friend the actor is speaking (0), typing (1) or has stopped (anything else). */
export function setInputStatus(w: WorldState, actor: number, userId: number, eventType: number) {
  friendOf(w, actor, userId);
  if (eventType < 0) throw new SimError('API_ERROR', 'event_type is not negative');
  const statusText = eventType === 0 ? '对方正在说话...' : eventType === 1 ? '对方正在输入...' : '';
  w.emit(userId, {
    kind: 'input_status',
    time: now(),
    user_id: actor,
    event_type: eventType,
    status_text: statusText,
  });
}

// --- friends: remarks and categories -------------------------------------------------------

export function setFriendRemark(w: WorldState, actor: number, userId: number, remark: string) {
  checkRemark(remark);
  friendOf(w, actor, userId).remark = remark;
}

export function setFriendCategory(w: WorldState, actor: number, userId: number, category: number) {
  friendOf(w, actor, userId);
  if (!CATEGORIES.some(c => c.id === category))
    throw new SimError('API_ERROR', `no friend category ${category}`);
  const p = peopleOf(w, actor);
  if (category === 0) p.categoryOf.delete(userId);
  else p.categoryOf.set(userId, category);
}

/** A friend is gone: they fall back to the default category if they come back. */
export function forgetFriend(w: WorldState, actor: number, userId: number): void {
  w.users.get(actor)?.people?.categoryOf.delete(userId);
  w.users.get(userId)?.people?.categoryOf.delete(actor);
}

export function friendCategories(w: WorldState, actor: number): Result<'get_friend_categories'> {
  const me = w.user(actor);
  const categoryOf = me.people?.categoryOf;
  const friends = [...me.friends]
    .filter(([id]) => w.users.get(id)?.friends.has(actor))
    .map(([id, f]) => {
      const p = w.user(id).profile;
      return {
        user_id: id,
        nickname: p.nickname,
        remark: f.remark,
        sex: p.sex,
        age: p.age,
        level: p.level,
        category_id: categoryOf?.get(id) ?? 0,
      };
    });
  return CATEGORIES.map((c, i) => {
    const members = friends.filter(f => f.category_id === c.id);
    return {
      category_id: c.id,
      category_name: c.name,
      sort_id: i,
      online_count: members.filter(f => userStatus(w, actor, f.user_id).status !== 0).length,
      friends: members,
    };
  });
}

// --- profile likes ---------------------------------------------------------------------------

function bump(records: Map<number, LikeRecord>, who: number, times: number, t: number): void {
  const day = today();
  const r = records.get(who) ?? { count: 0, day, today: 0, last: 0 };
  if (r.day !== day) Object.assign(r, { day, today: 0 });
  r.count += times;
  r.today += times;
  r.last = t;
  records.set(who, r);
}

/** Records likes `send_like` allowed, and tells a liked account who liked it. */
export function recordLike(w: WorldState, actor: number, userId: number, times: number): void {
  const t = now();
  bump(peopleOf(w, actor).given, userId, times, t);
  bump(peopleOf(w, userId).received, actor, times, t);
  w.emit(userId, {
    kind: 'profile_like',
    time: t,
    operator_id: actor,
    operator_nick: w.user(actor).profile.nickname,
    times,
  });
}

export function profileLikes(
  w: WorldState,
  actor: number,
  a: { user_id?: number; start: number; count: number },
): Result<'get_profile_likes'> {
  const owner = a.user_id ?? actor;
  w.user(owner, 'API_ERROR');
  const p = peopleOf(w, owner);
  const me = w.user(actor);
  const day = today();
  const all = a.start < 0;
  const start = all ? 0 : a.start;
  const size = all ? Infinity : Math.max(0, Math.min(a.count, 30));
  const list = (records: Map<number, LikeRecord>, since?: number) => {
    const rows = [...records].sort(([, x], [, y]) => y.last - x.last);
    const users = rows.slice(start, start + size).map(([uin, r]) => {
      const u = w.user(uin).profile;
      const givenToday = me.likes.day === day ? (me.likes.given.get(uin) ?? 0) : 0;
      return {
        user_id: uin,
        uid: uidOf(uin),
        nickname: u.nickname,
        sex: u.sex,
        age: u.age,
        vip_level: u.vip_level,
        count: r.count,
        today_count: r.day === day ? r.today : 0,
        last_time: r.last,
        is_friend: me.friends.has(uin) && (w.users.get(uin)?.friends.has(actor) ?? false),
        available_today: Math.max(0, LIKES_PER_DAY - givenToday),
      };
    });
    return {
      total_count: rows.reduce((n, [, r]) => n + r.count, 0),
      today_count: rows.reduce((n, [, r]) => n + (r.day === day ? r.today : 0), 0),
      last_time: rows[0]?.[1].last ?? 0,
      new_count: since === undefined ? 0 : rows.filter(([, r]) => r.last > since).length,
      users,
      more: rows.length > start + users.length,
    };
  };
  const { more: moreGiven, ...given } = list(p.given);
  const { more: moreReceived, ...received } = list(p.received, p.lastVisit);
  const lastVisit = p.lastVisit;
  // Looking at one's own likes is a visit: what was new is not any more.
  if (owner === actor) p.lastVisit = now();
  return {
    user_id: owner,
    uid: uidOf(owner),
    given,
    received,
    last_visit_time: lastVisit,
    next_start: !all && (moreGiven || moreReceived) ? start + size : -1,
  };
}

// --- doubtful friend requests ------------------------------------------------------------

/** QQ files a request away as suspicious when its message carries a link. */
export function isDoubtful(comment: string): boolean {
  return /https?:\/\/|www\./i.test(comment);
}

/** Files a suspicious friend request: no event, it waits in the doubtful list. */
export function fileDoubtfulRequest(w: WorldState, from: number, to: number, comment: string) {
  const common = [...w.groups.values()].find(g => g.members.has(from) && g.members.has(to));
  const flag = newId(10);
  const { doubts } = peopleOf(w, to);
  doubts.set(flag, { from, comment, group_id: common?.info.group_id ?? 0, time: now() });
  // The newest are kept, as for the requests QQ announces (requests.ts).
  if (doubts.size > MAX_KEPT_REQUESTS) doubts.delete(doubts.keys().next().value!);
  return flag;
}

export function doubtfulRequests(
  w: WorldState,
  actor: number,
  count: number,
): Result<'get_doubt_requests'> {
  const doubts = [...peopleOf(w, actor).doubts].reverse();
  return doubts.slice(0, Math.max(0, count)).map(([flag, d]) => ({
    flag,
    user_id: d.from,
    nickname: w.user(d.from).profile.nickname,
    source: d.group_id ? '来自群聊' : '来自QQ号查找',
    reason: '验证消息中含有链接',
    comment: d.comment,
    group_id: d.group_id,
    time: d.time,
  }));
}

/** Approving makes them friends (the account gets `friend_add`); a flag is handled once. */
export function handleDoubtfulRequest(
  w: WorldState,
  actor: number,
  flag: string,
  approve: boolean,
): void {
  const { doubts } = peopleOf(w, actor);
  const d = doubts.get(flag);
  if (!d) throw notKept(w, actor, flag, ['doubt'], 'doubtful request');
  // Nothing lists an answered doubtful request: only its flag is remembered (requests.ts).
  doubts.delete(flag);
  rememberAnswered(w, actor, flag, 'doubt');
  if (!approve) return;
  w.user(actor).friends.set(d.from, { remark: '' });
  w.user(d.from).friends.set(actor, { remark: '' });
  w.emit(actor, { kind: 'friend_add', time: now(), user_id: d.from });
}

// --- logging out ---------------------------------------------------------------------------

/**
 * The QQ side logs the account out (the control API's `offline` fault): it is told why
 * (`bot_offline`) before its connection goes, and hears it on its next login at the latest.
 */
export function loggedOut(w: WorldState, uin: number, tag: string, message: string): void {
  w.emit(uin, { kind: 'bot_offline', time: now(), tag, message });
}
