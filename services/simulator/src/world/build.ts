/** Builds the network's state from a world file. */
import type { SimMember } from '@cqfleet/sim-client';
import type { WorldFile } from '../world-file.js';
import { defaultSeqBase, now, type UserState, type WorldOptions, WorldState } from './state.js';

export function buildWorld(file: WorldFile, options: WorldOptions = {}): WorldState {
  const seqBase = options.seqBase ?? defaultSeqBase();
  const w = new WorldState(
    seqBase,
    options.chatLogSize ?? 1000,
    options.publicUrl ?? 'http://127.0.0.1:5900',
  );
  const created = now() - 86_400 * 365;

  for (const [list, isAccount] of [
    [file.accounts, true],
    [file.people, false],
  ] as const) {
    for (const u of list) {
      const state: UserState = {
        profile: {
          user_id: u.user_id,
          nickname: u.nickname,
          sex: u.sex,
          age: u.age,
          level: u.level,
          sign: u.sign,
          qid: '',
          login_days: 100 + (u.user_id % 900),
          vip_level: u.level >= 30 ? 'SVIP1' : '普通用户',
        },
        isAccount,
        friends: new Map(),
        nextPrivateSeq: seqBase,
        sent: new Map(),
        privateLog: [],
        extra: { company: '', email: '', college: '', personal_note: '' },
        devices: u.devices,
        modelShow: '',
        customFaces: [1, 2, 3].map(n => `https://sim.cqfleet.local/faces/${u.user_id}/${n}.gif`),
        likes: { day: '', given: new Map() },
        recent: new Map(),
        faults: { refuseSends: false, delayMs: 0, offline: false },
      };
      w.users.set(u.user_id, state);
    }
  }
  for (const [a, b] of file.friendships) {
    w.user(a).friends.set(b, { remark: '' });
    w.user(b).friends.set(a, { remark: '' });
  }
  for (const [a, b] of file.one_way_friends) w.user(a).friends.set(b, { remark: '' });

  for (const g of file.groups) {
    const members = new Map<number, SimMember>();
    for (const m of g.members) {
      const p = w.user(m.user_id).profile;
      members.set(m.user_id, {
        group_id: g.group_id,
        user_id: m.user_id,
        nickname: p.nickname,
        card: m.card,
        sex: p.sex,
        age: p.age,
        area: '',
        join_time: created,
        last_sent_time: 0,
        level: String(p.level),
        role: m.role,
        title: m.title,
        title_expire_time: 0,
        shut_up_timestamp: 0,
      });
    }
    w.groups.set(g.group_id, {
      info: {
        group_id: g.group_id,
        group_name: g.group_name,
        group_memo: '',
        group_create_time: created,
        group_level: 1,
        max_member_count: g.max_member_count,
      },
      members,
      nextSeq: seqBase,
      messages: new Map(),
      log: [],
      wholeBan: false,
      anonymousAllowed: true,
      anonymousIds: new Map(),
      anonymousBans: new Map(),
      atAll: { day: '', groupUsed: 0, byUser: new Map() },
      honors: {
        talkative: [],
        performer: [],
        legend: [],
        strong_newbie: [],
        emotion: [],
        talkativeDays: 0,
      },
      notices: [],
      essence: new Map(),
      folders: new Map(),
      files: new Map(),
      portrait: '',
      signed: new Set(),
      reactions: new Map(),
      blocked: new Set(),
    });
  }

  for (const guild of file.guilds) {
    w.guilds.set(guild.guild_id, {
      guild_id: guild.guild_id,
      guild_name: guild.guild_name,
      guild_display_id: guild.guild_id.slice(-6),
      channels: guild.channels.map((c, i) => ({
        channel_id: c.channel_id,
        channel_name: c.channel_name,
        channel_type: 1,
        owner_guild_id: guild.guild_id,
        creator_tiny_id: tinyId(guild.members[0] ?? 0),
        create_time: created + i,
      })),
      members: guild.members.map((uin, i) => ({
        tiny_id: tinyId(uin),
        title: '',
        nickname: w.user(uin).profile.nickname,
        role_id: i === 0 ? '4' : '1',
        role_name: i === 0 ? '频道主' : '普通成员',
      })),
      roles: [
        {
          role_id: '1',
          role_name: '普通成员',
          argb_color: 0,
          independent: false,
          member_count: guild.members.length - 1,
          max_count: 0,
          owned: false,
          disabled: false,
        },
        {
          role_id: '4',
          role_name: '频道主',
          argb_color: 0xffb46b,
          independent: false,
          member_count: 1,
          max_count: 1,
          owned: false,
          disabled: false,
        },
      ],
      self_tiny_id: '',
    });
  }
  for (const host of file.dangerous_hosts) w.dangerousHosts.add(host.toLowerCase());
  return w;
}

/** Guild members are addressed by a "tiny id"; derived from the uin here. */
export function tinyId(uin: number): string {
  return String(144115218000000000n + BigInt(uin));
}
