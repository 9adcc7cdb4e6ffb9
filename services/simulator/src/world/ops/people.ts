/** The simulator's implementation of the QQ side's people operations (@cqfleet/qq-side ops/people.ts). */
import type { peopleOps } from '@cqfleet/qq-side';
import * as values from '../nt-values.js';
import * as profile from '../profile.js';
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
    // NT-era
    set_avatar: (a, me) => (profile.setAvatar(w, me, a.image), null),
    get_avatar: (a, me) => profile.avatarUrl(w, me, a.user_id, a.group_id),
    set_long_nick: (a, me) => (profile.setLongNick(w, me, a.long_nick), null),
    set_friend_remark: (a, me) => (profile.setFriendRemark(w, me, a.user_id, a.remark), null),
    set_friend_category: (a, me) => (
      profile.setFriendCategory(w, me, a.user_id, a.category_id),
      null
    ),
    get_friend_categories: (_a, me) => profile.friendCategories(w, me),
    set_input_status: (a, me) => (profile.setInputStatus(w, me, a.user_id, a.event_type), null),
    set_online_status: (a, me) => (profile.setOnlineStatus(w, me, a), null),
    set_custom_status: (a, me) => (profile.setCustomStatus(w, me, a), null),
    get_user_status: (a, me) => profile.userStatus(w, me, a.user_id),
    get_profile_likes: (a, me) => profile.profileLikes(w, me, a),
    get_doubt_requests: (a, me) => profile.doubtfulRequests(w, me, a.count),
    handle_doubt_request: (a, me) => (
      profile.handleDoubtfulRequest(w, me, a.flag, a.approve),
      null
    ),
    translate: a => values.translate(a.words),
    get_recommend_faces: a => values.recommendFaces(w, a.word),
    get_robot_uin_ranges: () => values.robotUinRanges(),
    get_client_key: (_a, me) => values.clientKey(me),
    get_rkeys: (_a, me) => values.rkeys(me),
    get_contact_ark: (a, me) => values.contactArk(w, me, a.chat, a.phone_number),
    get_mini_app_ark: (a, me) => values.miniAppArk(w, me, a),
  };
}
