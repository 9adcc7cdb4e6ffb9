/** The account, its friends, groups and members (reference §1.4 "Information"). */
import type { SimGroup, SimMember, SimUser } from '@cqfleet/sim-client';
import type { SessionHandlers } from '../context.js';

function groupInfo(g: SimGroup) {
  return {
    group_id: g.group_id,
    group_name: g.group_name,
    group_memo: g.group_memo,
    group_create_time: g.group_create_time,
    group_level: g.group_level,
    member_count: g.member_count,
    max_member_count: g.max_member_count,
  };
}

/** go-cqhttp's member object: `level` is a string, `age` 0-based, `card_changeable` false. */
function memberInfo(m: SimMember) {
  return {
    group_id: m.group_id,
    user_id: m.user_id,
    nickname: m.nickname,
    card: m.card,
    sex: m.sex,
    age: m.age,
    area: m.area,
    join_time: m.join_time,
    last_sent_time: m.last_sent_time,
    level: m.level,
    role: m.role,
    unfriendly: false,
    title: m.title,
    title_expire_time: m.title_expire_time,
    card_changeable: false,
    shut_up_timestamp: m.shut_up_timestamp,
  };
}

function strangerInfo(u: SimUser) {
  return {
    user_id: u.user_id,
    nickname: u.nickname,
    qid: u.qid,
    sex: u.sex,
    sign: u.sign,
    age: u.age,
    level: u.level,
    login_days: u.login_days,
    vip_level: u.vip_level,
  };
}

export const infoHandlers = {
  get_login_info: async (_p, { account }) => {
    const self = await account.driver.self();
    return { user_id: self.user_id, nickname: self.nickname };
  },
  get_stranger_info: async (p, { account }) => strangerInfo(await account.driver.user(p.user_id)),
  get_friend_list: async (_p, { account }) =>
    (await account.driver.friends()).map(f => ({
      user_id: f.user_id,
      nickname: f.nickname,
      remark: f.remark,
    })),
  get_group_info: async (p, { account }) => groupInfo(await account.driver.group(p.group_id)),
  get_group_list: async (_p, { account }) => (await account.driver.groups()).map(groupInfo),
  get_group_member_info: async (p, { account }) =>
    memberInfo(await account.driver.member(p.group_id, p.user_id)),
  get_group_member_list: async (p, { account }) =>
    (await account.driver.members(p.group_id)).map(memberInfo),
} satisfies SessionHandlers;
