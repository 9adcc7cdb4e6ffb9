/** The simulator's implementation of the QQ side's groups operations (@cqfleet/qq-side ops/groups.ts). */
import type { groupOps } from '@cqfleet/qq-side';
import * as voices from '../ai-voices.js';
import * as groups from '../groups.js';
import * as nt from '../groups-nt.js';
import * as honors from '../honors-notices.js';
import * as social from '../social.js';
import type { WorldState } from '../state.js';
import type { OpsOf } from './types.js';

export function groupTable(w: WorldState): OpsOf<typeof groupOps> {
  return {
    get_groups: (_a, me) => nt.groupViewsOf(w, me),
    get_group: (a, me) => nt.groupView(w.memberGroup(me, a.group_id), me),
    find_group: a => nt.publicGroup(w, a.group_id),
    get_members: (a, me) =>
      [...w.memberGroup(me, a.group_id).members.values()].map(m => ({ ...m })),
    get_member: (a, me) => ({
      ...w.member(w.memberGroup(me, a.group_id), a.user_id),
    }),
    kick: (a, me) => (groups.kick(w, me, a.group_id, a.user_id, a.reject_add_request), null),
    kick_members: (a, me) => (
      nt.kickMembers(w, me, a.group_id, a.user_ids, a.reject_add_request),
      null
    ),
    ban: (a, me) => (groups.ban(w, me, a.group_id, a.user_id, a.duration), null),
    ban_anonymous: (a, me) => (groups.banAnonymous(w, me, a.group_id, a.flag, a.duration), null),
    whole_ban: (a, me) => (groups.wholeBan(w, me, a.group_id, a.enable), null),
    set_admin: (a, me) => (groups.setAdmin(w, me, a.group_id, a.user_id, a.enable), null),
    set_anonymous: (a, me) => (groups.setAnonymous(w, me, a.group_id, a.enable), null),
    set_card: (a, me) => (groups.setCard(w, me, a.group_id, a.user_id, a.card), null),
    set_group_name: (a, me) => (groups.setGroupName(w, me, a.group_id, a.name), null),
    set_group_remark: (a, me) => (nt.setRemark(w, me, a.group_id, a.remark), null),
    get_msg_masks: (_a, me) => nt.msgMasks(w, me),
    set_msg_mask: (a, me) => (nt.setMsgMask(w, me, a.group_id, a.mask), null),
    leave_group: (a, me) => (groups.leave(w, me, a.group_id, a.dismiss), null),
    set_title: (a, me) => (groups.setTitle(w, me, a.group_id, a.user_id, a.title), null),
    set_portrait: (a, me) => (groups.setPortrait(w, me, a.group_id, a.image), null),
    sign_in: (a, me) => (honors.signIn(w, me, a.group_id), null),
    get_at_all_remain: (a, me) => honors.atAllRemain(w, me, a.group_id),
    get_honors: (a, me) => honors.honorInfo(w, me, a.group_id),
    get_shut_list: (a, me) => groups.shutList(w, me, a.group_id),
    send_notice: (a, me) =>
      honors.sendNotice(
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
    get_notices: (a, me) => honors.notices(w, me, a.group_id),
    delete_notice: (a, me) => (honors.deleteNotice(w, me, a.group_id, a.notice_id), null),
    get_system_messages: (_a, me) => social.systemMessages(w, me),
    handle_group_request: (a, me) => (social.handleGroupRequest(w, me, a.flag, a.approve), null),
    get_ai_characters: (a, me) => voices.aiCharacters(w, me, a.group_id, a.chat_type),
    get_ai_record: (a, me) => voices.aiRecord(w, me, a.group_id, a.character, a.text),
    send_ai_record: (a, me) => voices.sendAiRecord(w, me, a.group_id, a.character, a.text),
  };
}
