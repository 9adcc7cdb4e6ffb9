/** The simulator's implementation of the QQ side's messages operations (@cqfleet/qq-side ops/messages.ts). */
import type { messageOps } from '@cqfleet/qq-side';
import * as media from '../media.js';
import * as messages from '../messages.js';
import type { WorldState } from '../state.js';
import type { OpsOf } from './types.js';

export function messageTable(w: WorldState): OpsOf<typeof messageOps> {
  return {
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
  };
}
