/** The simulator's implementation of the QQ side's people operations (@cqfleet/qq-side ops/people.ts). */
import type { peopleOps } from '@cqfleet/qq-side';
import * as social from '../social.js';
import type { WorldState } from '../state.js';
import type { OpsOf } from './types.js';

export function peopleTable(w: WorldState): OpsOf<typeof peopleOps> {
  return {
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
  };
}
