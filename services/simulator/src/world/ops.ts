/**
 * Every protocol op as a function of (arguments, actor). The driver server runs them for a
 * logged-in account; the control API runs the same table for any person, so a simulated
 * person can do anything an account can, under the same rules.
 */
import type { Segment } from '@cqfleet/onebot';
import { type OpName, type Ops, SimError, type SimForwardNodeInput } from '@cqfleet/sim-client';
import * as files from './files.js';
import * as groups from './groups.js';
import * as guilds from './guilds.js';
import * as media from './media.js';
import * as messages from './messages.js';
import * as social from './social.js';
import type { WorldState } from './state.js';

type Op<K extends OpName> = (args: Ops[K]['args'], actor: number) => Ops[K]['result'];
export type OpTable = { [K in Exclude<OpName, 'login'>]: Op<K> };

export function int(value: unknown, name: string): number {
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n))
    throw new SimError('BAD_REQUEST', `${name} must be an integer`);
  return n;
}

export function optInt(value: unknown, name: string): number | undefined {
  return value === undefined || value === null || value === 0 ? undefined : int(value, name);
}

export function str(value: unknown, name: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new SimError('BAD_REQUEST', `${name} must be a string`);
  return value;
}

export function bool(value: unknown): boolean {
  return value === true || value === 'true' || value === 1 || value === '1';
}

export function elements(value: unknown): Segment[] {
  if (
    !Array.isArray(value) ||
    value.some(e => typeof e !== 'object' || e === null || typeof (e as Segment).type !== 'string')
  )
    throw new SimError('BAD_REQUEST', 'elements must be an array of {type, data}');
  return value as Segment[];
}

function chat(args: {
  group_id?: unknown;
  user_id?: unknown;
}): { group_id: number } | { user_id: number } {
  const g = optInt(args.group_id, 'group_id');
  if (g !== undefined) return { group_id: g };
  return { user_id: int(args.user_id, 'user_id') };
}

function nodes(value: unknown): SimForwardNodeInput[] {
  if (!Array.isArray(value)) throw new SimError('BAD_REQUEST', 'nodes must be an array');
  return value as SimForwardNodeInput[];
}

export function opTable(w: WorldState): OpTable {
  return {
    // people
    get_friends: (_a, me) => social.friendsOf(w, me),
    get_unidirectional_friends: (_a, me) => social.unidirectionalFriendsOf(w, me),
    delete_friend: (a, me) => (social.deleteFriend(w, me, int(a.user_id, 'user_id')), null),
    delete_unidirectional_friend: (a, me) => (
      social.deleteUnidirectionalFriend(w, me, int(a.user_id, 'user_id')),
      null
    ),
    get_user: a => social.getUser(w, int(a.user_id, 'user_id')),
    get_vip_info: a => social.vipInfo(w, int(a.user_id, 'user_id')),
    send_like: (a, me) => (
      social.sendLike(w, me, int(a.user_id, 'user_id'), int(a.times, 'times')),
      null
    ),
    poke: (a, me) => (
      social.poke(w, me, int(a.user_id, 'user_id'), optInt(a.group_id, 'group_id')),
      null
    ),
    set_profile: (a, me) => (social.setProfile(w, me, a), null),
    handle_friend_request: (a, me) => (
      social.handleFriendRequest(
        w,
        me,
        str(a.flag, 'flag'),
        bool(a.approve),
        str(a.remark, 'remark'),
      ),
      null
    ),
    get_online_clients: (_a, me) => social.onlineClients(w, me),
    get_model_show: a => social.modelShow(str(a.model, 'model')),
    set_model_show: (a, me) => (
      social.setModelShow(w, me, str(a.model, 'model'), str(a.model_show, 'model_show')),
      null
    ),
    get_cookies: (a, me) => social.cookies(w, me, str(a.domain, 'domain')),
    check_url: a => social.checkUrl(w, str(a.url, 'url')),
    get_custom_faces: (a, me) => social.customFaces(w, me, int(a.count, 'count')),
    // groups
    get_groups: (_a, me) => groups.groupsOf(w, me),
    get_group: (a, me) => groups.groupInfo(w.memberGroup(me, int(a.group_id, 'group_id'))),
    get_members: (a, me) =>
      [...w.memberGroup(me, int(a.group_id, 'group_id')).members.values()].map(m => ({ ...m })),
    get_member: (a, me) => ({
      ...w.member(w.memberGroup(me, int(a.group_id, 'group_id')), int(a.user_id, 'user_id')),
    }),
    kick: (a, me) => (
      groups.kick(
        w,
        me,
        int(a.group_id, 'group_id'),
        int(a.user_id, 'user_id'),
        bool(a.reject_add_request),
      ),
      null
    ),
    ban: (a, me) => (
      groups.ban(
        w,
        me,
        int(a.group_id, 'group_id'),
        int(a.user_id, 'user_id'),
        int(a.duration, 'duration'),
      ),
      null
    ),
    ban_anonymous: (a, me) => (
      groups.banAnonymous(
        w,
        me,
        int(a.group_id, 'group_id'),
        str(a.flag, 'flag'),
        int(a.duration, 'duration'),
      ),
      null
    ),
    whole_ban: (a, me) => (
      groups.wholeBan(w, me, int(a.group_id, 'group_id'), bool(a.enable)),
      null
    ),
    set_admin: (a, me) => (
      groups.setAdmin(
        w,
        me,
        int(a.group_id, 'group_id'),
        int(a.user_id, 'user_id'),
        bool(a.enable),
      ),
      null
    ),
    set_anonymous: (a, me) => (
      groups.setAnonymous(w, me, int(a.group_id, 'group_id'), bool(a.enable)),
      null
    ),
    set_card: (a, me) => (
      groups.setCard(
        w,
        me,
        int(a.group_id, 'group_id'),
        int(a.user_id, 'user_id'),
        str(a.card, 'card'),
      ),
      null
    ),
    set_group_name: (a, me) => (
      groups.setGroupName(w, me, int(a.group_id, 'group_id'), str(a.name, 'name')),
      null
    ),
    leave_group: (a, me) => (
      groups.leave(w, me, int(a.group_id, 'group_id'), bool(a.dismiss)),
      null
    ),
    set_title: (a, me) => (
      groups.setTitle(
        w,
        me,
        int(a.group_id, 'group_id'),
        int(a.user_id, 'user_id'),
        str(a.title, 'title'),
      ),
      null
    ),
    set_portrait: (a, me) => (
      groups.setPortrait(w, me, int(a.group_id, 'group_id'), str(a.image, 'image')),
      null
    ),
    sign_in: (a, me) => (groups.signIn(w, me, int(a.group_id, 'group_id')), null),
    get_at_all_remain: (a, me) => groups.atAllRemain(w, me, int(a.group_id, 'group_id')),
    get_honors: (a, me) => groups.honorInfo(w, me, int(a.group_id, 'group_id')),
    get_shut_list: (a, me) => groups.shutList(w, me, int(a.group_id, 'group_id')),
    send_notice: (a, me) =>
      groups.sendNotice(
        w,
        me,
        int(a.group_id, 'group_id'),
        str(a.content, 'content'),
        a.image === undefined
          ? undefined
          : {
              id: str(a.image, 'image'),
              width: optInt(a.width, 'width'),
              height: optInt(a.height, 'height'),
            },
      ),
    get_notices: (a, me) => groups.notices(w, me, int(a.group_id, 'group_id')),
    delete_notice: (a, me) => (
      groups.deleteNotice(w, me, int(a.group_id, 'group_id'), str(a.notice_id, 'notice_id')),
      null
    ),
    get_system_messages: (_a, me) => social.systemMessages(w, me),
    handle_group_request: (a, me) => (
      social.handleGroupRequest(w, me, str(a.flag, 'flag'), bool(a.approve)),
      null
    ),
    // messages
    send_group_msg: (a, me) =>
      messages.sendGroupMessage(w, me, int(a.group_id, 'group_id'), elements(a.elements)),
    send_private_msg: (a, me) =>
      messages.sendPrivateMessage(
        w,
        me,
        int(a.user_id, 'user_id'),
        elements(a.elements),
        optInt(a.group_id, 'group_id'),
      ),
    send_forward: (a, me) => messages.sendForward(w, me, chat(a), nodes(a.nodes)),
    get_forward: a => messages.getForward(w, str(a.resid, 'resid')),
    get_message: (a, me) =>
      messages.getMessage(w, me, chat(a), int(a.seq, 'seq'), optInt(a.sender_id, 'sender_id')),
    get_group_messages: (a, me) =>
      messages.groupMessages(
        w,
        me,
        int(a.group_id, 'group_id'),
        int(a.seq, 'seq'),
        int(a.count, 'count'),
      ),
    recall: (a, me) => (
      messages.recall(w, me, chat(a), int(a.seq, 'seq'), int(a.sender_id, 'sender_id')),
      null
    ),
    set_essence: (a, me) => (
      messages.setEssence(w, me, int(a.group_id, 'group_id'), int(a.seq, 'seq'), bool(a.enable)),
      null
    ),
    get_essence_list: (a, me) => messages.essenceList(w, me, int(a.group_id, 'group_id')),
    react: (a, me) => (
      messages.react(
        w,
        me,
        int(a.group_id, 'group_id'),
        int(a.seq, 'seq'),
        str(a.emoji_id, 'emoji_id'),
        bool(a.set),
      ),
      null
    ),
    mark_read: () => null,
    get_recent_contacts: (a, me) => messages.recentContacts(w, me, int(a.count, 'count')),
    get_media: a => media.mediaInfo(w, str(a.kind, 'kind'), str(a.name, 'name')),
    upload_ticket: a => media.uploadTicket(w, str(a.kind, 'kind')),
    // files
    get_fs_info: (a, me) => files.fsInfo(w, me, int(a.group_id, 'group_id')),
    list_files: (a, me) =>
      files.listFiles(w, me, int(a.group_id, 'group_id'), str(a.folder_id, 'folder_id')),
    get_file_url: (a, me) =>
      files.fileUrl(
        w,
        me,
        int(a.group_id, 'group_id'),
        str(a.file_id, 'file_id'),
        int(a.busid ?? 0, 'busid'),
      ),
    create_folder: (a, me) => (
      files.createFolder(
        w,
        me,
        int(a.group_id, 'group_id'),
        str(a.parent_id, 'parent_id'),
        str(a.name, 'name'),
      ),
      null
    ),
    delete_folder: (a, me) => (
      files.deleteFolder(w, me, int(a.group_id, 'group_id'), str(a.folder_id, 'folder_id')),
      null
    ),
    delete_file: (a, me) => (
      files.deleteFile(
        w,
        me,
        int(a.group_id, 'group_id'),
        str(a.file_id, 'file_id'),
        int(a.busid ?? 0, 'busid'),
      ),
      null
    ),
    upload_group_file: (a, me) =>
      files.uploadGroupFile(
        w,
        me,
        int(a.group_id, 'group_id'),
        str(a.name, 'name'),
        int(a.size, 'size'),
        str(a.folder, 'folder'),
      ),
    upload_private_file: (a, me) => (
      files.uploadPrivateFile(
        w,
        me,
        int(a.user_id, 'user_id'),
        str(a.name, 'name'),
        int(a.size, 'size'),
      ),
      null
    ),
    // guilds
    get_guilds: (_a, me) => guilds.guildsOf(w, me),
    send_guild_msg: (a, me) =>
      guilds.sendGuildMessage(
        w,
        me,
        str(a.guild_id, 'guild_id'),
        str(a.channel_id, 'channel_id'),
        elements(a.elements),
      ),
    get_guild_msg: (a, me) =>
      guilds.getGuildMessage(
        w,
        me,
        str(a.guild_id, 'guild_id'),
        str(a.channel_id, 'channel_id'),
        int(a.seq, 'seq'),
      ),
    guild_role: (a, me) => guilds.guildRole(w, me, a),
  };
}
