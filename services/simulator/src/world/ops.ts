/**
 * Every protocol op as a function of (arguments, actor). The driver server runs them for a
 * logged-in account; the control API runs the same table for any person, so a simulated
 * person can do anything an account can, under the same rules. Arguments are checked against
 * the QQ side's table (`@cqfleet/qq-side`) first (`runOp`): an implementation receives them
 * typed.
 */
import { type OpName, type Ops, parseArgs, SimError } from '@cqfleet/sim-client';
import { isOpName } from '@cqfleet/qq-side';
import * as files from './files.js';
import * as groups from './groups.js';
import * as guilds from './guilds.js';
import * as media from './media.js';
import * as messages from './messages.js';
import * as social from './social.js';
import type { WorldState } from './state.js';

/** An op's implementation: its arguments as the QQ side's table reads them, and the actor. */
type Op<K extends OpName> = (args: Ops[K]['parsed'], actor: number) => Ops[K]['result'];
export type OpTable = { [K in Exclude<OpName, 'login'>]: Op<K> };

/**
 * Runs `op` for `actor`: an op the table does not have, or arguments that do not fit it, are
 * `BAD_REQUEST` (naming the field), before the world is touched.
 */
export function runOp(table: OpTable, op: string, args: unknown, actor: number): unknown {
  if (op === 'login' || !isOpName(op)) throw new SimError('BAD_REQUEST', `unknown op ${op}`);
  const name = op as Exclude<OpName, 'login'>;
  const run = table[name] as (a: unknown, actor: number) => unknown;
  return run(parseArgs(name, args), actor);
}

/** Every op of `table` called as a caller writes it: arguments checked by `runOp` first. */
export type OpCaller = {
  [K in Exclude<OpName, 'login'>]: (args: Ops[K]['args'], actor: number) => Ops[K]['result'];
};

export function callerOf(table: OpTable): OpCaller {
  return new Proxy({} as OpCaller, {
    get: (_t, op) => (args: unknown, actor: number) => runOp(table, String(op), args, actor),
  });
}

/** Reads a route parameter of the control API as an integer (numbers or decimal strings). */
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

export function opTable(w: WorldState): OpTable {
  return {
    // people
    get_friends: (_a, me) => social.friendsOf(w, me),
    get_unidirectional_friends: (_a, me) => social.unidirectionalFriendsOf(w, me),
    delete_friend: (a, me) => (social.deleteFriend(w, me, a.user_id), null),
    delete_unidirectional_friend: (a, me) => (
      social.deleteUnidirectionalFriend(w, me, a.user_id),
      null
    ),
    get_user: a => social.getUser(w, a.user_id),
    get_vip_info: a => social.vipInfo(w, a.user_id),
    send_like: (a, me) => (social.sendLike(w, me, a.user_id, a.times), null),
    poke: (a, me) => (social.poke(w, me, a.user_id, a.group_id), null),
    set_profile: (a, me) => (social.setProfile(w, me, a), null),
    handle_friend_request: (a, me) => (
      social.handleFriendRequest(w, me, a.flag, a.approve, a.remark),
      null
    ),
    get_online_clients: (_a, me) => social.onlineClients(w, me),
    get_model_show: a => social.modelShow(a.model),
    set_model_show: (a, me) => (social.setModelShow(w, me, a.model, a.model_show), null),
    get_cookies: (a, me) => social.cookies(w, me, a.domain),
    check_url: a => social.checkUrl(w, a.url),
    get_custom_faces: (a, me) => social.customFaces(w, me, a.count),
    // groups
    get_groups: (_a, me) => groups.groupsOf(w, me),
    get_group: (a, me) => groups.groupInfo(w.memberGroup(me, a.group_id)),
    get_members: (a, me) =>
      [...w.memberGroup(me, a.group_id).members.values()].map(m => ({ ...m })),
    get_member: (a, me) => ({
      ...w.member(w.memberGroup(me, a.group_id), a.user_id),
    }),
    kick: (a, me) => (groups.kick(w, me, a.group_id, a.user_id, a.reject_add_request), null),
    ban: (a, me) => (groups.ban(w, me, a.group_id, a.user_id, a.duration), null),
    ban_anonymous: (a, me) => (groups.banAnonymous(w, me, a.group_id, a.flag, a.duration), null),
    whole_ban: (a, me) => (groups.wholeBan(w, me, a.group_id, a.enable), null),
    set_admin: (a, me) => (groups.setAdmin(w, me, a.group_id, a.user_id, a.enable), null),
    set_anonymous: (a, me) => (groups.setAnonymous(w, me, a.group_id, a.enable), null),
    set_card: (a, me) => (groups.setCard(w, me, a.group_id, a.user_id, a.card), null),
    set_group_name: (a, me) => (groups.setGroupName(w, me, a.group_id, a.name), null),
    leave_group: (a, me) => (groups.leave(w, me, a.group_id, a.dismiss), null),
    set_title: (a, me) => (groups.setTitle(w, me, a.group_id, a.user_id, a.title), null),
    set_portrait: (a, me) => (groups.setPortrait(w, me, a.group_id, a.image), null),
    sign_in: (a, me) => (groups.signIn(w, me, a.group_id), null),
    get_at_all_remain: (a, me) => groups.atAllRemain(w, me, a.group_id),
    get_honors: (a, me) => groups.honorInfo(w, me, a.group_id),
    get_shut_list: (a, me) => groups.shutList(w, me, a.group_id),
    send_notice: (a, me) =>
      groups.sendNotice(
        w,
        me,
        a.group_id,
        a.content,
        a.image === undefined
          ? undefined
          : {
              id: a.image,
              width: a.width,
              height: a.height,
            },
      ),
    get_notices: (a, me) => groups.notices(w, me, a.group_id),
    delete_notice: (a, me) => (groups.deleteNotice(w, me, a.group_id, a.notice_id), null),
    get_system_messages: (_a, me) => social.systemMessages(w, me),
    handle_group_request: (a, me) => (social.handleGroupRequest(w, me, a.flag, a.approve), null),
    // messages
    send_group_msg: (a, me) => messages.sendGroupMessage(w, me, a.group_id, a.elements),
    send_private_msg: (a, me) =>
      messages.sendPrivateMessage(w, me, a.user_id, a.elements, a.group_id),
    send_forward: (a, me) => messages.sendForward(w, me, a.chat, a.nodes),
    get_forward: a => messages.getForward(w, a.resid),
    get_message: (a, me) => messages.getMessage(w, me, a.chat, a.seq, a.sender_id),
    get_group_messages: (a, me) => messages.groupMessages(w, me, a.group_id, a.seq, a.count),
    recall: (a, me) => (messages.recall(w, me, a.chat, a.seq, a.sender_id), null),
    set_essence: (a, me) => (messages.setEssence(w, me, a.group_id, a.seq, a.enable), null),
    get_essence_list: (a, me) => messages.essenceList(w, me, a.group_id),
    react: (a, me) => (messages.react(w, me, a.group_id, a.seq, a.emoji_id, a.set), null),
    mark_read: () => null,
    get_recent_contacts: (a, me) => messages.recentContacts(w, me, a.count),
    get_media: a => media.mediaInfo(w, a.kind, a.name),
    upload_ticket: a => media.uploadTicket(w, a.kind),
    // files
    get_fs_info: (a, me) => files.fsInfo(w, me, a.group_id),
    list_files: (a, me) => files.listFiles(w, me, a.group_id, a.folder_id),
    get_file_url: (a, me) => files.fileUrl(w, me, a.group_id, a.file_id, a.busid ?? 0),
    create_folder: (a, me) => (files.createFolder(w, me, a.group_id, a.parent_id, a.name), null),
    delete_folder: (a, me) => (files.deleteFolder(w, me, a.group_id, a.folder_id), null),
    delete_file: (a, me) => (files.deleteFile(w, me, a.group_id, a.file_id, a.busid ?? 0), null),
    upload_group_file: (a, me) =>
      files.uploadGroupFile(w, me, a.group_id, a.name, a.size, a.folder),
    upload_private_file: (a, me) => (
      files.uploadPrivateFile(w, me, a.user_id, a.name, a.size),
      null
    ),
    // guilds
    get_guilds: (_a, me) => guilds.guildsOf(w, me),
    send_guild_msg: (a, me) => guilds.sendGuildMessage(w, me, a.guild_id, a.channel_id, a.elements),
    get_guild_msg: (a, me) => guilds.getGuildMessage(w, me, a.guild_id, a.channel_id, a.seq),
    guild_role: (a, me) => guilds.guildRole(w, me, a),
  };
}
