/**
 * NT-era group features with QQ's rules: each account's own remark and message mask for a
 * group (seen by that account alone, dropped when it leaves), several kicks at once, and the
 * public view of a group an account is not in.
 */
import type { Ops } from '@cqfleet/sim-client';
import { SimError } from '@cqfleet/sim-client';
import { groupInfo, removeMember, requireOutranks } from './groups.js';
import type { GroupState, WorldState } from './state.js';
import { checkRemark } from './text-limits.js';

type GroupView = Ops['get_group']['result'];
type MsgMask = Ops['get_msg_masks']['result'][number];

/** QQ's message masks: 1 receive and notify, 2 group assistant, 3 blocked, 4 no notification. */
const MASKS = new Set([1, 2, 3, 4]);
const DEFAULT_MASK = 1;

function nt(g: GroupState): NonNullable<GroupState['nt']> {
  return (g.nt ??= { remarks: new Map(), msgMasks: new Map() });
}

/** A group as `uin` (a member) sees it: with its own remark and the whole-ban state. */
export function groupView(g: GroupState, uin: number): GroupView {
  return {
    ...groupInfo(g),
    group_remark: g.nt?.remarks.get(uin) ?? '',
    group_all_shut: g.wholeBan ? -1 : 0,
  };
}

export function groupViewsOf(w: WorldState, uin: number): GroupView[] {
  return [...w.groups.values()].filter(g => g.members.has(uin)).map(g => groupView(g, uin));
}

/**
 * What anybody sees of an existing group (QQ's search by number): name, introduction, size and
 * capacity. The rest is for members: creation time and level read 0, no remark, no whole-ban.
 */
export function publicGroup(w: WorldState, groupId: number): GroupView {
  const g = w.group(groupId);
  return {
    group_id: g.info.group_id,
    group_name: g.info.group_name,
    group_memo: g.info.group_memo,
    group_create_time: 0,
    group_level: 0,
    member_count: g.members.size,
    max_member_count: g.info.max_member_count,
    group_remark: '',
    group_all_shut: 0,
  };
}

export function setRemark(w: WorldState, actor: number, groupId: number, remark: string): void {
  checkRemark(remark);
  const remarks = nt(w.memberGroup(actor, groupId)).remarks;
  if (remark === '') remarks.delete(actor);
  else remarks.set(actor, remark);
}

export function msgMasks(w: WorldState, actor: number): MsgMask[] {
  return [...w.groups.values()]
    .filter(g => g.members.has(actor))
    .map(g => ({
      group_id: g.info.group_id,
      group_name: g.info.group_name,
      msg_mask: g.nt?.msgMasks.get(actor) ?? DEFAULT_MASK,
    }));
}

export function setMsgMask(w: WorldState, actor: number, groupId: number, mask: number): void {
  const g = w.memberGroup(actor, groupId);
  if (!MASKS.has(mask)) throw new SimError('INVALID_PARAMS', 'mask must be 1, 2, 3 or 4');
  nt(g).msgMasks.set(actor, mask);
}

/**
 * Kicks several members under kick's rules, all or none: each is checked before anybody is
 * removed, so one member the actor may not kick (or who is not there) fails the whole call.
 */
export function kickMembers(
  w: WorldState,
  actor: number,
  groupId: number,
  userIds: readonly number[],
  rejectAddRequest: boolean,
): void {
  const g = w.memberGroup(actor, groupId);
  const targets = [...new Set(userIds)];
  if (targets.length === 0) throw new SimError('INVALID_PARAMS', 'no members to kick');
  for (const uin of targets) requireOutranks(w, g, actor, uin);
  for (const uin of targets) {
    removeMember(w, g, uin, actor, 'kick');
    if (rejectAddRequest) g.blocked.add(uin);
  }
}
