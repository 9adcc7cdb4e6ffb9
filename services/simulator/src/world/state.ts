/**
 * The state of the simulated network and the helpers every domain uses. Domain modules
 * (messages.ts, groups.ts, social.ts, group-files.ts, private-files.ts, guilds.ts) are
 * functions of an actor — a bot account through the driver protocol, or a person through the
 * control API — and apply the same rules to both.
 */
import { randomBytes } from 'node:crypto';
import {
  SimError,
  type SimAnonymous,
  type SimDevice,
  type SimEssence,
  type SimEvent,
  type SimForwardNode,
  type SimGroupFile,
  type SimGroupFolder,
  type SimGuild,
  type SimMember,
  type SimNotice,
  type SimStoredMessage,
  type SimUser,
} from '@cqfleet/sim-client';
import { FileStore } from './file-store.js';

export const now = (): number => Math.floor(Date.now() / 1000);

/** A new opaque id (flags, file ids, notice ids, forward resids). */
export const newId = (bytes = 8): string => randomBytes(bytes).toString('hex');

export interface UserState {
  profile: SimUser;
  isAccount: boolean;
  friends: Map<number, { remark: string }>;
  nextPrivateSeq: number;
  /** Private messages this user sent, by seq. */
  sent: Map<number, SimStoredMessage>;
  /** Private messages in both directions, for the control API. */
  privateLog: SimStoredMessage[];
  extra: { company: string; email: string; college: string; personal_note: string };
  devices: SimDevice[];
  modelShow: string;
  customFaces: string[];
  likes: { day: string; given: Map<number, number> };
  recent: Map<
    string,
    {
      chat_type: 'group' | 'private';
      peer_id: number;
      seq: number;
      time: number;
      sender_id: number;
    }
  >;
  /** Fault injection (accounts only). */
  faults: { refuseSends: boolean; delayMs: number; offline: boolean };
  /** Unread messages from others, by chat (`group:<id>`, `private:<id>`); chat-state.ts. */
  unread?: Map<string, Set<string>>;
  /** NT-era profile: avatar, statuses, likes, categories, doubtful requests (profile.ts). */
  people?: {
    avatar: string;
    status: { status: number; ext_status: number; battery_status: number };
    custom: { face_id: number; face_type: number; wording: string } | null;
    /** Friend → category id (absent: the default category). */
    categoryOf: Map<number, number>;
    /** Likes given, by person liked; likes received, by liker. */
    given: Map<number, { count: number; day: string; today: number; last: number }>;
    received: Map<number, { count: number; day: string; today: number; last: number }>;
    /** When the likes received were last looked at. */
    lastVisit: number;
    /**
     * Friend requests QQ filtered as suspicious and not answered yet, by flag, oldest first: the
     * newest MAX_KEPT_REQUESTS (an answered flag is remembered in `WorldState.requests`).
     */
    doubts: Map<string, { from: number; comment: string; group_id: number; time: number }>;
  };
}

export interface GroupState {
  info: {
    group_id: number;
    group_name: string;
    group_memo: string;
    group_create_time: number;
    group_level: number;
    max_member_count: number;
  };
  members: Map<number, SimMember>;
  nextSeq: number;
  messages: Map<number, SimStoredMessage & { anonymous: SimAnonymous | null }>;
  log: number[];
  wholeBan: boolean;
  anonymousAllowed: boolean;
  anonymousIds: Map<number, SimAnonymous>;
  /** Anonymous flags banned until (unix time). */
  anonymousBans: Map<string, number>;
  atAll: { day: string; groupUsed: number; byUser: Map<number, number> };
  honors: {
    talkative: number[];
    performer: number[];
    legend: number[];
    strong_newbie: number[];
    emotion: number[];
    talkativeDays: number;
  };
  notices: SimNotice[];
  essence: Map<number, SimEssence>;
  folders: Map<string, SimGroupFolder>;
  files: Map<string, SimGroupFile & { folder: string }>;
  portrait: string;
  signed: Set<number>;
  reactions: Map<number, Map<string, Set<number>>>;
  /** Members who left by kick with reject_add_request. */
  blocked: Set<number>;
  /** NT-era settings each account keeps for the group (groups-nt.ts), made on first use. */
  nt?: { remarks: Map<number, string>; msgMasks: Map<number, number> };
}

export interface RequestState {
  flag: string;
  request_id: number;
  kind: 'friend' | 'join' | 'invite';
  /** Who asked (friend/join) or who invited (invite). */
  from: number;
  /** The account that must answer. */
  to: number;
  group_id: number;
  comment: string;
  checked: boolean;
  actor: number;
}

/** What a flag was: a request (friend, join, invite) or a doubtful friend request. */
export type RequestKind = RequestState['kind'] | 'doubt';

/** The requests an account must answer (requests.ts), made on first use. */
export interface AccountRequests {
  /**
   * Requests to answer, and join/invite requests answered (get_group_system_msg lists them with
   * who answered), by flag, oldest first: the newest MAX_KEPT_REQUESTS.
   */
  kept: Map<string, RequestState>;
  /**
   * Flags answered and no longer kept, with their kind, so answering one again is
   * FLAG_HAS_BEEN_CHECKED: the newest MAX_ANSWERED_FLAGS.
   */
  answered: Map<string, RequestKind>;
}

export interface WorldOptions {
  /** First message seq of every chat; time-derived by default so restarts do not reuse ids. */
  seqBase?: number;
  /** Messages kept per chat. @default 1000 */
  chatLogSize?: number;
  /** Base URL of the simulator, for file and image URLs. */
  publicUrl?: string;
}

/** Deciseconds since 2023-11-14: grows ~10 per second and stays below 2^32 until 2037. */
export function defaultSeqBase(): number {
  return Math.floor((Date.now() - 1_700_000_000_000) / 100);
}

export const GROUP_FILE_LIMIT = 10_000;
export const GROUP_SPACE_BYTES = 10 * 1024 ** 3;
export const AT_ALL_PER_GROUP = 10;
export const AT_ALL_PER_USER = 3;
export const LIKES_PER_DAY = 10;
export const RECALL_WINDOW_S = 120;
export const MAX_BAN_S = 30 * 24 * 3600;

export class WorldState {
  readonly users = new Map<number, UserState>();
  readonly groups = new Map<number, GroupState>();
  /** Requests by the account that must answer them (requests.ts). */
  readonly requests = new Map<number, AccountRequests>();
  readonly forwards = new Map<string, SimForwardNode[]>();
  readonly guilds = new Map<string, SimGuild>();
  readonly dangerousHosts = new Set<string>();
  /** Bytes of media sent as base64, by content name, served at /media/<kind>/<name>. */
  readonly media = new Map<string, Buffer>();
  /** File content, private files and group file space (file-store.ts, file-rules.ts). */
  readonly fileStore = new FileStore();
  /** What voices say, by content name (`<md5>.amr`); chat-state.ts, made on first use. */
  voiceTexts?: Map<string, string>;
  /** UTF-8 bytes of the texts in `voiceTexts`. */
  voiceTextBytes = 0;
  nextRequestId = 1;
  /** Receives what happens to bot accounts. */
  onAccountEvent: (uin: number, event: SimEvent) => void = () => {};

  constructor(
    readonly seqBase: number,
    readonly chatLogSize: number,
    public publicUrl: string,
  ) {}

  // --- look-ups that fail with OneBot tags -------------------------------------------

  user(uin: number, tag = 'ACCOUNT_NOT_FOUND'): UserState {
    const u = this.users.get(uin);
    if (!u) throw new SimError(tag, `user ${uin} does not exist`);
    return u;
  }

  isAccount(uin: number): boolean {
    return this.users.get(uin)?.isAccount ?? false;
  }

  accounts(): number[] {
    return [...this.users.values()].filter(u => u.isAccount).map(u => u.profile.user_id);
  }

  group(groupId: number): GroupState {
    const g = this.groups.get(groupId);
    if (!g) throw new SimError('GROUP_NOT_FOUND', `group ${groupId} does not exist`);
    return g;
  }

  /** A group the actor is in (an account only sees its own groups). */
  memberGroup(actor: number, groupId: number): GroupState {
    const g = this.groups.get(groupId);
    if (!g || !g.members.has(actor))
      throw new SimError('GROUP_NOT_FOUND', `group ${groupId} not found for ${actor}`);
    return g;
  }

  member(g: GroupState, userId: number, tag = 'MEMBER_NOT_FOUND'): SimMember {
    const m = g.members.get(userId);
    if (!m) throw new SimError(tag, `user ${userId} is not in group ${g.info.group_id}`);
    return m;
  }

  isManager(g: GroupState, uin: number): boolean {
    const role = g.members.get(uin)?.role;
    return role === 'owner' || role === 'admin';
  }

  /** True when `actor` may act on `target` (owner over everyone, admins over plain members). */
  outranks(g: GroupState, actor: number, target: number): boolean {
    const a = g.members.get(actor)?.role;
    const t = g.members.get(target)?.role;
    if (actor === target) return false;
    if (a === 'owner') return true;
    return a === 'admin' && t === 'member';
  }

  requireManager(g: GroupState, actor: number, tag = 'NOT_MANAGEABLE'): void {
    if (!this.isManager(g, actor))
      throw new SimError(tag, `${actor} is not an admin of group ${g.info.group_id}`);
  }

  displayName(g: GroupState | undefined, uin: number): string {
    const m = g?.members.get(uin);
    return m?.card || m?.nickname || this.users.get(uin)?.profile.nickname || String(uin);
  }

  // --- delivery --------------------------------------------------------------------------

  /** Delivers an event to one user, if that user is an account. */
  emit(uin: number, event: SimEvent): void {
    if (this.isAccount(uin)) this.onAccountEvent(uin, event);
  }

  /** Delivers an event to every account in a group, except `except`. */
  emitToGroup(g: GroupState, event: SimEvent, except?: number): void {
    for (const uin of g.members.keys()) if (uin !== except) this.emit(uin, event);
  }

  avatar(uin: number): string {
    return `https://q1.qlogo.cn/g?b=qq&nk=${uin}&s=640`;
  }

  mediaUrl(kind: string, id: string): string {
    return `${this.publicUrl}/media/${kind}/${id}`;
  }

  nextGroupSeq(g: GroupState): number {
    return g.nextSeq++;
  }

  keepBounded<T>(list: T[], onDrop?: (item: T) => void): void {
    while (list.length > this.chatLogSize) {
      const dropped = list.shift();
      if (dropped !== undefined) onDrop?.(dropped);
    }
  }
}

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}
