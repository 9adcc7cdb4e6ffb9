/** The QQ side's operations on people: friends, profiles, requests, devices, cookies. */
import { z } from 'zod';
import { Device, Friend, UnidirectionalFriend, User, VipInfo } from '../models.js';
import { type OpSpec, none, ok, op, withChat } from '../op.js';
import { flag, int, optInt, sex, text } from '../wire.js';

// --- NT-era shapes (the people domain's own; models.ts keeps the shared ones) -------------

/** A friend as a category lists it. */
export const CategorizedFriend = Friend.extend({
  sex,
  age: z.number(),
  level: z.number(),
  category_id: z.number(),
});
export type CategorizedFriend = z.infer<typeof CategorizedFriend>;

/** One of the account's friend categories (QQ's 分组) with its friends, in sort order. */
export const FriendCategory = z.object({
  category_id: z.number(),
  category_name: z.string(),
  sort_id: z.number(),
  /** Friends in it who show as online (invisible ones do not). */
  online_count: z.number(),
  friends: z.array(CategorizedFriend),
});
export type FriendCategory = z.infer<typeof FriendCategory>;

/** A user's online status as others see it (`status` 10 online, 30 away, 40 invisible …). */
export const UserStatus = z.object({
  status: z.number(),
  ext_status: z.number(),
  battery_status: z.number(),
  /** The custom ("DIY") status, when one is set. */
  custom: z.object({ face_id: z.number(), face_type: z.number(), wording: z.string() }).nullable(),
});
export type UserStatus = z.infer<typeof UserStatus>;

/** Someone in a profile-like list, with the likes between them and the list's owner. */
export const LikeUser = z.object({
  user_id: z.number(),
  /** QQ's opaque user id (NT `uid`). */
  uid: z.string(),
  nickname: z.string(),
  sex,
  age: z.number(),
  vip_level: z.string(),
  count: z.number(),
  today_count: z.number(),
  last_time: z.number(),
  /** A friend of the caller. */
  is_friend: z.boolean(),
  /** Likes the caller may still give this person today. */
  available_today: z.number(),
});
export type LikeUser = z.infer<typeof LikeUser>;

export const LikeList = z.object({
  total_count: z.number(),
  today_count: z.number(),
  last_time: z.number(),
  /** Received since the owner last looked (0 for a list of likes given). */
  new_count: z.number(),
  users: z.array(LikeUser),
});

/** Whom a user liked (`given`) and who liked them (`received`), one page of each. */
export const ProfileLikes = z.object({
  user_id: z.number(),
  uid: z.string(),
  given: LikeList,
  received: LikeList,
  /** When the owner last looked at the likes received. */
  last_visit_time: z.number(),
  /** Where the next page starts, -1 when there is none. */
  next_start: z.number(),
});
export type ProfileLikes = z.infer<typeof ProfileLikes>;

/** A friend request QQ filtered as suspicious (not pushed as an event). */
export const DoubtRequest = z.object({
  flag: z.string(),
  user_id: z.number(),
  nickname: z.string(),
  source: z.string(),
  reason: z.string(),
  comment: z.string(),
  /** A group both are in (where the request came from), 0 for none. */
  group_id: z.number(),
  time: z.number(),
});
export type DoubtRequest = z.infer<typeof DoubtRequest>;

/** The key image URLs of a chat type need (`&rkey=…`), valid `ttl` seconds from `created_at`. */
export const RKey = z.object({
  type: z.enum(['private', 'group']),
  rkey: z.string(),
  created_at: z.number(),
  ttl: z.number(),
});
export type RKey = z.infer<typeof RKey>;

/** A light-app (ark) message body, as QQ sends it in a `json` segment. */
export const Ark = z.looseObject({
  app: z.string(),
  view: z.string(),
  ver: z.string(),
  prompt: z.string(),
  config: z.record(z.string(), z.unknown()),
  meta: z.record(z.string(), z.unknown()),
});
export type Ark = z.infer<typeof Ark>;

const strings = z.array(text);

export const peopleOps = {
  get_friends: op(none, z.array(Friend)),
  get_unidirectional_friends: op(none, z.array(UnidirectionalFriend)),
  delete_friend: op(z.object({ user_id: int }), ok),
  delete_unidirectional_friend: op(z.object({ user_id: int }), ok),
  get_user: op(z.object({ user_id: int }), User),
  get_vip_info: op(z.object({ user_id: int }), VipInfo),
  send_like: op(z.object({ user_id: int, times: int }), ok),
  poke: op(z.object({ user_id: int, group_id: optInt }), ok),
  set_profile: op(
    z.object({
      nickname: z.string().optional(),
      company: z.string().optional(),
      email: z.string().optional(),
      college: z.string().optional(),
      personal_note: z.string().optional(),
    }),
    ok,
  ),
  handle_friend_request: op(z.object({ flag: text, approve: flag, remark: text }), ok),
  get_online_clients: op(none, z.array(Device)),
  get_model_show: op(
    z.object({ model: text }),
    z.array(z.object({ model_show: z.string(), need_pay: z.boolean() })),
  ),
  set_model_show: op(z.object({ model: text, model_show: text }), ok),
  get_cookies: op(
    z.object({ domain: text }),
    z.object({ cookies: z.string(), csrf_token: z.number() }),
  ),
  check_url: op(z.object({ url: text }), z.object({ level: z.number() })),
  get_custom_faces: op(z.object({ count: int }), z.array(z.string())),

  // --- NT-era: the account's profile, friends and statuses --------------------------------
  /** `image` is an uploaded media name (`<md5>.image`, see `upload_ticket`). */
  set_avatar: op(z.object({ image: text }), ok),
  /** A user's avatar URL, or a group's with `group_id`; the account's own when neither. */
  get_avatar: op(z.object({ user_id: optInt, group_id: optInt }), z.object({ url: z.string() })),
  set_long_nick: op(z.object({ long_nick: text }), ok),
  set_friend_remark: op(z.object({ user_id: int, remark: text }), ok),
  set_friend_category: op(z.object({ user_id: int, category_id: int }), ok),
  get_friend_categories: op(none, z.array(FriendCategory)),
  /** Tells a friend the account is typing (`event_type` 1) or speaking (0). */
  set_input_status: op(z.object({ user_id: int, event_type: int }), ok),
  set_online_status: op(z.object({ status: int, ext_status: int, battery_status: int }), ok),
  set_custom_status: op(z.object({ face_id: int, face_type: int, wording: text }), ok),
  get_user_status: op(z.object({ user_id: int }), UserStatus),
  /** Likes of `user_id` (the account's own when absent); `start` -1 is every one. */
  get_profile_likes: op(z.object({ user_id: optInt, start: int, count: int }), ProfileLikes),
  get_doubt_requests: op(z.object({ count: int }), z.array(DoubtRequest)),
  handle_doubt_request: op(z.object({ flag: text, approve: flag }), ok),

  // --- NT-era: values the QQ network makes --------------------------------------------------
  translate: op(z.object({ words: strings }), z.array(z.string())),
  get_recommend_faces: op(z.object({ word: text }), z.array(z.string())),
  get_robot_uin_ranges: op(none, z.array(z.object({ min_uin: z.number(), max_uin: z.number() }))),
  get_client_key: op(none, z.object({ clientkey: z.string(), expire_time: z.number() })),
  get_rkeys: op(none, z.array(RKey)),
  /** A contact card of a user or a group (the group when both are given), as ark JSON. */
  get_contact_ark: op(withChat({ phone_number: text }), z.object({ ark: z.string() })),
  /**
   * A mini-app card: `type` `bili` or `weibo` fills the app's fields, otherwise `app_id` and
   * the others describe it.
   */
  get_mini_app_ark: op(
    z.object({
      type: text,
      title: text,
      desc: text,
      pic_url: text,
      jump_url: text,
      web_url: text,
      icon_url: text,
      app_id: text,
      scene: optInt,
      template_type: optInt,
      business_type: optInt,
      ver_type: optInt,
      share_type: optInt,
      version_id: text,
      sdk_id: text,
      with_share_ticket: optInt,
    }),
    Ark,
  ),
} satisfies Record<string, OpSpec>;
