/**
 * People: friends (two-way and one-way), profiles, likes, pokes, friend and group requests
 * whose flags can be handled once, devices, cookies and the small QQ services. The NT-era
 * profile (likes received, categories, statuses, doubtful requests) is profile.ts.
 */
import { createHash } from 'node:crypto';
import {
  SimError,
  type SimDevice,
  type SimFriend,
  type SimGroupSystemMessages,
  type SimUnidirectionalFriend,
  type SimUser,
  type SimVipInfo,
} from '@cqfleet/sim-client';
import { addMember } from './groups.js';
import { fileDoubtfulRequest, forgetFriend, isDoubtful, recordLike } from './profile.js';
import { LIKES_PER_DAY, newId, now, type RequestState, today, type WorldState } from './state.js';
import { keepRequest, notKept, rememberAnswered, requestsOf } from './requests.js';
import { checkProfile, checkRemark, checkRequestComment } from './text-limits.js';

export function friendsOf(w: WorldState, uin: number): SimFriend[] {
  const me = w.user(uin);
  return [...me.friends]
    .filter(([id]) => w.users.get(id)?.friends.has(uin))
    .map(([id, f]) => ({ user_id: id, nickname: w.user(id).profile.nickname, remark: f.remark }));
}

/** People who have `uin` as a friend while `uin` does not have them. */
export function unidirectionalFriendsOf(w: WorldState, uin: number): SimUnidirectionalFriend[] {
  const me = w.user(uin);
  return [...w.users.values()]
    .filter(u => u.friends.has(uin) && !me.friends.has(u.profile.user_id))
    .map(u => ({
      user_id: u.profile.user_id,
      nickname: u.profile.nickname,
      source: '好友单向添加',
    }));
}

export function deleteFriend(w: WorldState, actor: number, userId: number): void {
  const me = w.user(actor);
  if (!me.friends.has(userId)) throw new SimError('FRIEND_NOT_FOUND', `${userId} is not a friend`);
  me.friends.delete(userId);
  w.users.get(userId)?.friends.delete(actor);
  forgetFriend(w, actor, userId);
}

export function deleteUnidirectionalFriend(w: WorldState, actor: number, userId: number): void {
  const them = w.users.get(userId);
  if (!them?.friends.has(actor) || w.user(actor).friends.has(userId))
    throw new SimError('FRIEND_NOT_FOUND', `${userId} is not a unidirectional friend`);
  them.friends.delete(actor);
}

export function getUser(w: WorldState, userId: number): SimUser {
  return { ...w.user(userId, 'SUMMARY_API_ERROR').profile };
}

export function vipInfo(w: WorldState, userId: number): SimVipInfo {
  const p = w.user(userId, 'API_ERROR').profile;
  return {
    user_id: p.user_id,
    nickname: p.nickname,
    level: p.level,
    level_speed: 1 + (p.level % 10) / 10,
    vip_level: p.vip_level,
    vip_growth_speed: p.level >= 30 ? 15 : 0,
    vip_growth_total: p.level * 100,
  };
}

export function sendLike(w: WorldState, actor: number, userId: number, times: number): void {
  const me = w.user(actor);
  w.user(userId, 'API_ERROR');
  const day = today();
  if (me.likes.day !== day) me.likes = { day, given: new Map() };
  const given = me.likes.given.get(userId) ?? 0;
  if (times < 1 || given + times > LIKES_PER_DAY)
    throw new SimError(
      'API_ERROR',
      `at most ${LIKES_PER_DAY} likes a day per person (${given} given today)`,
    );
  me.likes.given.set(userId, given + times);
  recordLike(w, actor, userId, times);
}

/** Pokes someone in a group (everyone in it sees) or a friend (the friend sees). */
export function poke(w: WorldState, actor: number, target: number, groupId?: number): void {
  const time = now();
  if (groupId) {
    const g = w.memberGroup(actor, groupId);
    w.member(g, target);
    w.emitToGroup(g, {
      kind: 'poke',
      time,
      group_id: groupId,
      sender_id: actor,
      target_id: target,
    });
    return;
  }
  if (!w.user(actor).friends.has(target))
    throw new SimError('FRIEND_NOT_FOUND', `${target} is not a friend`);
  w.emit(target, { kind: 'poke', time, sender_id: actor, target_id: target });
}

export function setProfile(
  w: WorldState,
  actor: number,
  p: {
    nickname?: string;
    company?: string;
    email?: string;
    college?: string;
    personal_note?: string;
  },
): void {
  checkProfile(p);
  const me = w.user(actor);
  if (p.nickname !== undefined && p.nickname !== '') me.profile.nickname = p.nickname;
  for (const key of ['company', 'email', 'college', 'personal_note'] as const)
    if (p[key] !== undefined) me.extra[key] = p[key];
  if (p.personal_note !== undefined) me.profile.sign = p.personal_note;
  for (const g of w.groups.values()) {
    const m = g.members.get(actor);
    if (m) m.nickname = me.profile.nickname;
  }
}

// --- requests ------------------------------------------------------------------------------

function newRequest(
  w: WorldState,
  r: Omit<RequestState, 'flag' | 'request_id' | 'checked' | 'actor'>,
): RequestState {
  const req: RequestState = {
    ...r,
    flag: newId(10),
    request_id: w.nextRequestId++,
    checked: false,
    actor: 0,
  };
  keepRequest(w, req);
  return req;
}

/** A person asks an account to be friends. */
export function requestFriend(w: WorldState, from: number, to: number, comment: string): string {
  checkRequestComment(comment);
  w.user(from);
  if (!w.isAccount(to)) throw new SimError('BAD_REQUEST', `${to} is not an account`);
  if (w.user(to).friends.has(from)) throw new SimError('BAD_REQUEST', 'already friends');
  // A request QQ finds suspicious is filed away unannounced (get_doubt_requests).
  if (isDoubtful(comment)) return fileDoubtfulRequest(w, from, to, comment);
  const req = newRequest(w, { kind: 'friend', from, to, group_id: 0, comment });
  w.emit(to, { kind: 'friend_request', time: now(), user_id: from, comment, flag: req.flag });
  return req.flag;
}

/** A person asks to join a group: every account that manages it is asked. */
export function requestJoin(
  w: WorldState,
  from: number,
  groupId: number,
  comment: string,
): string[] {
  checkRequestComment(comment);
  const g = w.group(groupId);
  if (g.members.has(from)) throw new SimError('BAD_REQUEST', 'already a member');
  if (g.blocked.has(from))
    throw new SimError('BAD_REQUEST', 'join requests from this user are rejected');
  const flags: string[] = [];
  for (const uin of g.members.keys()) {
    if (!w.isAccount(uin) || !w.isManager(g, uin)) continue;
    const req = newRequest(w, { kind: 'join', from, to: uin, group_id: groupId, comment });
    flags.push(req.flag);
    w.emit(uin, {
      kind: 'group_request',
      time: now(),
      group_id: groupId,
      user_id: from,
      invitor_id: 0,
      comment,
      flag: req.flag,
      sub_type: 'add',
    });
  }
  return flags;
}

/** A member invites an account into the group. */
export function inviteAccount(
  w: WorldState,
  inviter: number,
  groupId: number,
  account: number,
): string {
  const g = w.memberGroup(inviter, groupId);
  if (!w.isAccount(account)) throw new SimError('BAD_REQUEST', `${account} is not an account`);
  if (g.members.has(account)) throw new SimError('BAD_REQUEST', 'already a member');
  const req = newRequest(w, {
    kind: 'invite',
    from: inviter,
    to: account,
    group_id: groupId,
    comment: '',
  });
  w.emit(account, {
    kind: 'group_request',
    time: now(),
    group_id: groupId,
    user_id: inviter,
    invitor_id: 0,
    comment: '',
    flag: req.flag,
    sub_type: 'invite',
  });
  return req.flag;
}

function takeRequest(
  w: WorldState,
  actor: number,
  flag: string,
  kinds: RequestState['kind'][],
): RequestState {
  const { kept } = requestsOf(w, actor);
  const req = kept.get(flag);
  if (!req || !kinds.includes(req.kind)) throw notKept(w, actor, flag, kinds);
  if (req.checked)
    throw new SimError('FLAG_HAS_BEEN_CHECKED', 'this request has already been handled');
  req.checked = true;
  req.actor = actor;
  // Nothing lists an answered friend request: only its flag is remembered (requests.ts).
  if (req.kind === 'friend') {
    kept.delete(flag);
    rememberAnswered(w, actor, flag, req.kind);
  }
  return req;
}

export function handleFriendRequest(
  w: WorldState,
  actor: number,
  flag: string,
  approve: boolean,
  remark: string,
): void {
  checkRemark(remark);
  const req = takeRequest(w, actor, flag, ['friend']);
  if (!approve) return;
  w.user(actor).friends.set(req.from, { remark });
  w.user(req.from).friends.set(actor, { remark: '' });
  w.emit(actor, { kind: 'friend_add', time: now(), user_id: req.from });
}

export function handleGroupRequest(
  w: WorldState,
  actor: number,
  flag: string,
  approve: boolean,
): void {
  const req = takeRequest(w, actor, flag, ['join', 'invite']);
  // Every manager was asked; once one answers, the others' copies are handled too.
  for (const uin of w.groups.get(req.group_id)?.members.keys() ?? [])
    for (const other of w.requests.get(uin)?.kept.values() ?? [])
      if (
        other !== req &&
        other.kind === 'join' &&
        other.from === req.from &&
        other.group_id === req.group_id &&
        !other.checked
      ) {
        other.checked = true;
        other.actor = actor;
      }
  if (!approve) return;
  const g = w.group(req.group_id);
  addMember(w, g, req.kind === 'join' ? req.from : actor);
}

export function systemMessages(w: WorldState, actor: number): SimGroupSystemMessages {
  const mine = [...(w.requests.get(actor)?.kept.values() ?? [])].filter(r => r.kind !== 'friend');
  const groupName = (id: number) => w.groups.get(id)?.info.group_name ?? '';
  const nick = (id: number) => w.users.get(id)?.profile.nickname ?? '';
  const invited = mine
    .filter(r => r.kind === 'invite')
    .map(r => ({
      request_id: r.request_id,
      invitor_uin: r.from,
      invitor_nick: nick(r.from),
      group_id: r.group_id,
      group_name: groupName(r.group_id),
      checked: r.checked,
      actor: r.actor,
    }));
  const joins = mine
    .filter(r => r.kind === 'join')
    .map(r => ({
      request_id: r.request_id,
      requester_uin: r.from,
      requester_nick: nick(r.from),
      message: r.comment,
      group_id: r.group_id,
      group_name: groupName(r.group_id),
      checked: r.checked,
      actor: r.actor,
      suspicious: false,
    }));
  // go-cqhttp: an empty list is null.
  return {
    invited_requests: invited.length ? invited : null,
    join_requests: joins.length ? joins : null,
  };
}

// --- devices and services ----------------------------------------------------------------

export function onlineClients(w: WorldState, actor: number): SimDevice[] {
  return w.user(actor).devices;
}

/** Another device of the account comes online or goes away. */
export function setDeviceOnline(
  w: WorldState,
  uin: number,
  device: SimDevice,
  online: boolean,
): void {
  const me = w.user(uin);
  me.devices = me.devices.filter(d => d.app_id !== device.app_id);
  if (online) me.devices.push(device);
  w.emit(uin, { kind: 'client_status', time: now(), online, client: device });
}

export function modelShow(model: string): Array<{ model_show: string; need_pay: boolean }> {
  const base = model.trim() || 'cqfleet';
  return [
    { model_show: base, need_pay: false },
    { model_show: `${base} Pro`, need_pay: true },
  ];
}

export function setModelShow(w: WorldState, actor: number, model: string, show: string): void {
  if (show.trim() === '') throw new SimError('SET_MODEL_SHOW_API_ERROR', 'model_show is empty');
  w.user(actor).modelShow = `${model}/${show}`;
}

/** QQ's bkn: the CSRF token derived from skey. */
export function csrfToken(skey: string): number {
  let hash = 5381;
  for (const ch of skey) hash = (hash + (hash << 5) + ch.charCodeAt(0)) & 0x7fffffff;
  return hash;
}

export function cookies(
  w: WorldState,
  actor: number,
  domain: string,
): { cookies: string; csrf_token: number } {
  w.user(actor);
  const skey = '@' + createHash('sha1').update(`skey:${actor}`).digest('base64url').slice(0, 9);
  const pskey = createHash('sha1').update(`pskey:${actor}:${domain}`).digest('hex').slice(0, 32);
  const parts = [`uin=o${actor}`, `skey=${skey}`, `p_uin=o${actor}`];
  if (domain) parts.push(`p_skey=${pskey}`);
  return { cookies: parts.join('; '), csrf_token: csrfToken(skey) };
}

export function checkUrl(w: WorldState, url: string): { level: number } {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return { level: 2 };
  }
  if ([...w.dangerousHosts].some(d => host === d || host.endsWith(`.${d}`))) return { level: 3 };
  return { level: host.includes('.') ? 1 : 2 };
}

export function customFaces(w: WorldState, actor: number, count: number): string[] {
  return w.user(actor).customFaces.slice(0, Math.max(0, count));
}
