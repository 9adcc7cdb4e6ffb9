/** The simulator's implementation of the QQ side's groups operations (@cqfleet/qq-side ops/groups.ts). */
import type { groupOps } from '@cqfleet/qq-side';
import * as groups from '../groups.js';
import * as social from '../social.js';
import type { WorldState } from '../state.js';
import type { OpsOf } from './types.js';

export function groupTable(w: WorldState): OpsOf<typeof groupOps> {
  return {
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
  };
}
