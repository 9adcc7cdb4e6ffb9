/**
 * The simulated QQ network: users, friendships, groups with members and roles, and the
 * messages said in them, with the rules QQ enforces. It knows nothing of connections: what
 * happens to a bot account is handed to `onAccountEvent`, which the account hub delivers.
 */
import { isEmptyMessage, messageId, type Segment, stringifyCQ } from '@cqfleet/onebot';
import {
  type SentMessage,
  SimError,
  type SimEvent,
  type SimFriend,
  type SimGroup,
  type SimGroupSender,
  type SimMember,
  type SimUser,
} from '@cqfleet/sim-client';
import type { WorldFile } from './world-file.js';

export interface ChatRecord {
  seq: number;
  message_id: number;
  time: number;
  sender_id: number;
  group_id?: number;
  target_id?: number;
  message: string;
  elements: Segment[];
}

interface UserState {
  profile: SimUser;
  isAccount: boolean;
  friends: Map<number, { remark: string }>;
  /** Next seq of a private message this user sends. */
  nextPrivateSeq: number;
  privateLog: ChatRecord[];
}

interface GroupState {
  info: Omit<SimGroup, 'member_count'>;
  members: Map<number, SimMember>;
  nextSeq: number;
  log: ChatRecord[];
}

export interface WorldOptions {
  /** First message seq of every chat; time-derived by default so restarts do not reuse ids. */
  seqBase?: number;
  /** Messages kept per chat for the control API. @default 1000 */
  chatLogSize?: number;
}

const now = () => Math.floor(Date.now() / 1000);

/** Deciseconds since 2023-11-14: grows ~10 per second and stays below 2^32 until 2037. */
export function defaultSeqBase(): number {
  return Math.floor((Date.now() - 1_700_000_000_000) / 100);
}

export class World {
  private readonly users = new Map<number, UserState>();
  private readonly groups = new Map<number, GroupState>();
  private readonly chatLogSize: number;
  /** Receives what happens to bot accounts. */
  onAccountEvent: (uin: number, event: SimEvent) => void = () => {};

  constructor(file: WorldFile, options: WorldOptions = {}) {
    const seqBase = options.seqBase ?? defaultSeqBase();
    this.chatLogSize = options.chatLogSize ?? 1000;
    const created = now() - 86_400 * 365;
    for (const [list, isAccount] of [
      [file.accounts, true],
      [file.people, false],
    ] as const) {
      for (const u of list) {
        this.users.set(u.user_id, {
          profile: {
            user_id: u.user_id,
            nickname: u.nickname,
            sex: u.sex,
            age: u.age,
            level: u.level,
            sign: u.sign,
            qid: '',
            login_days: 100 + (u.user_id % 900),
            vip_level: 'SVIP0',
          },
          isAccount,
          friends: new Map(),
          nextPrivateSeq: seqBase,
          privateLog: [],
        });
      }
    }
    for (const [a, b] of file.friendships) {
      this.user(a).friends.set(b, { remark: '' });
      this.user(b).friends.set(a, { remark: '' });
    }
    for (const g of file.groups) {
      const members = new Map<number, SimMember>();
      for (const m of g.members) {
        const p = this.user(m.user_id).profile;
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
      this.groups.set(g.group_id, {
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
        log: [],
      });
    }
  }

  // --- look-ups -------------------------------------------------------------------------

  isAccount(uin: number): boolean {
    return this.users.get(uin)?.isAccount ?? false;
  }

  accounts(): number[] {
    return [...this.users.values()].filter(u => u.isAccount).map(u => u.profile.user_id);
  }

  getUser(uin: number): SimUser {
    const u = this.users.get(uin);
    if (!u) throw new SimError('SUMMARY_API_ERROR', `user ${uin} does not exist`);
    return { ...u.profile };
  }

  friendsOf(uin: number): SimFriend[] {
    return [...this.user(uin).friends].map(([id, f]) => ({
      user_id: id,
      nickname: this.user(id).profile.nickname,
      remark: f.remark,
    }));
  }

  groupsOf(uin: number): SimGroup[] {
    return [...this.groups.values()].filter(g => g.members.has(uin)).map(g => this.groupInfo(g));
  }

  /** A group the user is in (an account only sees its own groups). */
  getGroup(uin: number, groupId: number): SimGroup {
    return this.groupInfo(this.memberGroup(uin, groupId));
  }

  getMembers(uin: number, groupId: number): SimMember[] {
    return [...this.memberGroup(uin, groupId).members.values()].map(m => ({ ...m }));
  }

  getMember(uin: number, groupId: number, userId: number): SimMember {
    const m = this.memberGroup(uin, groupId).members.get(userId);
    if (!m) throw new SimError('MEMBER_NOT_FOUND', `user ${userId} is not in group ${groupId}`);
    return { ...m };
  }

  groupLog(groupId: number, limit: number): ChatRecord[] {
    const g = this.groups.get(groupId);
    if (!g) throw new SimError('GROUP_NOT_FOUND', `group ${groupId} does not exist`);
    return g.log.slice(-limit);
  }

  privateLog(uin: number, limit: number): ChatRecord[] {
    return this.user(uin).privateLog.slice(-limit);
  }

  // --- actions --------------------------------------------------------------------------

  /** `from` says `elements` in a group; every other bot member receives it. */
  postGroupMessage(
    from: number,
    groupId: number,
    elements: Segment[],
  ): SentMessage & { message_id: number } {
    const g = this.groups.get(groupId);
    if (!g) throw new SimError('GROUP_NOT_FOUND', `group ${groupId} does not exist`);
    const member = g.members.get(from);
    if (!member)
      throw new SimError(
        'SEND_MSG_API_ERROR',
        `send group message failed: ${from} is not in group ${groupId}`,
      );
    if (isEmptyMessage(elements)) throw new SimError('EMPTY_MSG_ERROR', 'empty message');
    const t = now();
    if (member.shut_up_timestamp > t)
      throw new SimError(
        'SEND_MSG_API_ERROR',
        'send group message failed: blocked by server (muted)',
      );
    const seq = g.nextSeq++;
    member.last_sent_time = t;
    const record: ChatRecord = {
      seq,
      message_id: messageId(groupId, seq),
      time: t,
      sender_id: from,
      group_id: groupId,
      message: stringifyCQ(elements),
      elements,
    };
    pushBounded(g.log, record, this.chatLogSize);
    const sender: SimGroupSender = {
      user_id: from,
      nickname: member.nickname,
      card: member.card,
      role: member.role,
      title: member.title,
      level: member.level,
      sex: member.sex,
      age: member.age,
      area: member.area,
    };
    for (const uin of g.members.keys()) {
      if (uin === from || !this.isAccount(uin)) continue;
      this.onAccountEvent(uin, {
        kind: 'group_message',
        group_id: groupId,
        seq,
        time: t,
        sender,
        elements,
      });
    }
    return { seq, time: t, message_id: record.message_id };
  }

  /** `from` says `elements` to a friend; a bot recipient receives it. */
  postPrivateMessage(
    from: number,
    to: number,
    elements: Segment[],
  ): SentMessage & { message_id: number } {
    const sender = this.user(from);
    const target = this.users.get(to);
    if (!target || !sender.friends.has(to))
      throw new SimError(
        'SEND_MSG_API_ERROR',
        `send private message failed: ${to} is not a friend of ${from}`,
      );
    if (isEmptyMessage(elements)) throw new SimError('EMPTY_MSG_ERROR', 'empty message');
    const seq = sender.nextPrivateSeq++;
    const t = now();
    const record: ChatRecord = {
      seq,
      message_id: messageId(from, seq),
      time: t,
      sender_id: from,
      target_id: to,
      message: stringifyCQ(elements),
      elements,
    };
    pushBounded(sender.privateLog, record, this.chatLogSize);
    pushBounded(target.privateLog, record, this.chatLogSize);
    if (target.isAccount) {
      const p = sender.profile;
      this.onAccountEvent(to, {
        kind: 'private_message',
        seq,
        time: t,
        sender: { user_id: from, nickname: p.nickname, sex: p.sex, age: p.age },
        target_id: to,
        elements,
      });
    }
    return { seq, time: t, message_id: record.message_id };
  }

  // --- internals ------------------------------------------------------------------------

  private user(uin: number): UserState {
    const u = this.users.get(uin);
    if (!u) throw new SimError('ACCOUNT_NOT_FOUND', `user ${uin} does not exist`);
    return u;
  }

  private memberGroup(uin: number, groupId: number): GroupState {
    const g = this.groups.get(groupId);
    if (!g || !g.members.has(uin))
      throw new SimError('GROUP_NOT_FOUND', `group ${groupId} not found for ${uin}`);
    return g;
  }

  private groupInfo(g: GroupState): SimGroup {
    return { ...g.info, member_count: g.members.size };
  }
}

function pushBounded<T>(list: T[], item: T, max: number): void {
  list.push(item);
  if (list.length > max) list.splice(0, list.length - max);
}
