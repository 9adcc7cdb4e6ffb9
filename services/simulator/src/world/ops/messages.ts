/** The simulator's implementation of the QQ side's messages operations (@cqfleet/qq-side ops/messages.ts). */
import type { messageOps } from '@cqfleet/qq-side';
import * as forwards from '../forwards.js';
import * as media from '../media.js';
import * as nt from '../messages-nt.js';
import * as messages from '../messages.js';
import * as recallEssence from '../recall-essence.js';
import type { WorldState } from '../state.js';
import type { OpsOf } from './types.js';

export function messageTable(w: WorldState): OpsOf<typeof messageOps> {
  return {
    send_group_msg: (a, me) => messages.sendGroupMessage(w, me, a.group_id, a.elements),
    send_private_msg: (a, me) =>
      messages.sendPrivateMessage(w, me, a.user_id, a.elements, a.group_id),
    send_forward: (a, me) => forwards.sendForward(w, me, a.chat, a.nodes),
    get_forward: a => forwards.getForward(w, a.resid),
    get_message: (a, me) => messages.getMessage(w, me, a.chat, a.seq, a.sender_id),
    get_group_messages: (a, me) => messages.groupMessages(w, me, a.group_id, a.seq, a.count),
    recall: (a, me) => (recallEssence.recall(w, me, a.chat, a.seq, a.sender_id), null),
    set_essence: (a, me) => (recallEssence.setEssence(w, me, a.group_id, a.seq, a.enable), null),
    get_essence_list: (a, me) => recallEssence.essenceList(w, me, a.group_id),
    react: (a, me) => (recallEssence.react(w, me, a.group_id, a.seq, a.emoji_id, a.set), null),
    get_reactions: (a, me) => nt.reactors(w, me, a.group_id, a.seq, a.emoji_id),
    mark_read: (a, me) => (nt.markRead(w, me, a.group_id, a.user_id), null),
    mark_all_read: (_a, me) => (nt.markAllRead(w, me), null),
    get_recent_contacts: (a, me) => nt.recentContacts(w, me, a.count),
    forward_single: (a, me) =>
      nt.forwardSingle(w, me, a.chat, a.seq, a.sender_id, {
        group_id: a.to_group_id,
        user_id: a.to_user_id,
      }),
    voice_text: (a, me) => nt.voiceTextOf(w, me, a.chat, a.seq, a.sender_id),
    send_gift: (a, me) => (nt.sendGift(w, me, a.group_id, a.user_id, a.gift_id), null),
    get_media: a => media.mediaInfo(w, a.kind, a.name),
    upload_ticket: a => media.uploadTicket(w, a.kind),
  };
}
