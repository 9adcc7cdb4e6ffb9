/**
 * The account's NT-era extensions (reference §2.4), with NapCat's parameter names and result
 * shapes, LLOneBot's where only it has the action. Parameters an upstream may leave out stay
 * optional, so what is forwarded to a proxied account is what the client sent.
 */
import { z } from 'zod';
import { action } from '../action.js';
import { bool, int, optionalInt, optionalStr, params, str } from '../params.js';
import * as s from './shapes.js';

/** NapCat's `{result, errMsg}` of a call into QQ. */
const callResult = z.looseObject({ result: z.number(), errMsg: z.string() });

/** A friend category with its friends (NapCat and LLOneBot). */
const category = z.looseObject({
  categoryId: z.number(),
  categorySortId: z.number(),
  categoryName: z.string(),
  categoryMbCount: z.number(),
  onlineCount: z.number(),
  buddyList: z.array(s.friend),
});

/** Someone in a profile-like list (NT's field names, as NapCat and LLOneBot pass them on). */
const likeUser = z.looseObject({
  uid: z.string(),
  uin: z.number(),
  nick: z.string(),
  count: z.number(),
  latestTime: z.number(),
  bTodayVotedCnt: z.number(),
  bAvailableCnt: z.number(),
  isFriend: z.boolean(),
});

/** `words`: an array of strings, or one string. */
const words = () =>
  z.preprocess(
    v => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]),
    z.array(str()),
  );

const contactCard = {
  owner: 'session',
  origin: 'nt',
  status: 'ready',
  // The older name stays too, so an upstream of either generation reads what was sent.
  params: params(
    {
      user_id: optionalInt(),
      group_id: optionalInt(),
      phone_number: optionalStr(),
      phoneNumber: optionalStr(),
    },
    { phone_number: ['phoneNumber'] },
  ),
  result: z.looseObject({ errCode: z.number(), errMsg: z.string(), arkJson: z.string() }),
} as const;

const groupCard = {
  owner: 'session',
  origin: 'nt',
  status: 'ready',
  params: params({ group_id: int() }),
  result: z.string(),
} as const;

const friendsWithCategory = {
  owner: 'session',
  origin: 'nt',
  status: 'ready',
  params: params({}),
  result: z.array(category),
} as const;

export const accountNtActions = {
  set_qq_avatar: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: "Set the account's avatar from an image source (path, file://, base64://, URL).",
    params: params({ file: optionalStr() }),
    result: s.nothing,
  }),
  get_qq_avatar: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: "A user's (or with group_id a group's) avatar URL (LLOneBot).",
    params: params({ user_id: optionalInt(), group_id: optionalInt() }),
    result: z.looseObject({ url: z.string() }),
  }),
  set_self_longnick: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: "Set the account's long nick (signature), seen in profile reads.",
    params: params({ longNick: optionalStr() }, { longNick: ['long_nick'] }),
    result: callResult,
  }),
  set_friend_remark: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: "Set a friend's remark (empty removes it).",
    params: params({ user_id: int(), remark: str() }),
    result: s.nothing,
  }),
  set_friend_category: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: 'Move a friend to another category (LLOneBot).',
    params: params({ user_id: int(), category_id: int() }),
    result: s.nothing,
  }),
  get_friends_with_category: action({
    ...friendsWithCategory,
    summary: "The account's friends by category.",
  }),
  get_friend_with_category: action({
    ...friendsWithCategory,
    summary: 'Same as get_friends_with_category (the name of its LLOneBot class).',
  }),
  set_input_status: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: 'Show a friend that the account is typing (event_type 1) or speaking (0).',
    params: params({ user_id: int(), event_type: int() }),
    result: callResult,
  }),
  set_online_status: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: 'Set the online status (10 online, 30 away, 40 invisible, 50 busy, 60, 70).',
    params: params(
      { status: int(), ext_status: int(), battery_status: int() },
      { ext_status: ['extStatus'], battery_status: ['batteryStatus'] },
    ),
    result: s.nothing,
  }),
  set_diy_online_status: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: 'Set a custom online status: a face and a wording.',
    params: params({ face_id: int(), face_type: optionalInt(), wording: optionalStr() }),
    result: z.string(),
  }),
  get_profile_like: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: 'Profile likes of the account (or user_id): whom it liked and who liked it.',
    // No defaults here: NapCat's count is 10, LLOneBot's 20, and each upstream keeps its own.
    params: params({ user_id: optionalInt(), start: optionalInt(), count: optionalInt() }),
    result: z.looseObject({
      uid: z.string(),
      time: z.number(),
      favoriteInfo: z.looseObject({
        total_count: z.number(),
        last_time: z.number(),
        today_count: z.number(),
        userInfos: z.array(likeUser),
      }),
      voteInfo: z.looseObject({
        total_count: z.number(),
        new_count: z.number(),
        new_nearby_count: z.number(),
        last_visit_time: z.number(),
        userInfos: z.array(likeUser),
      }),
    }),
  }),
  get_profile_like_me: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: "Who liked the account's profile, a page from start (-1: all) (LLOneBot).",
    params: params({ start: int(), count: int(20) }),
    result: z.looseObject({ users: z.array(likeUser), nextStart: z.number() }),
  }),
  get_doubt_friends_add_request: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: 'Friend requests QQ filtered as suspicious.',
    params: params({ count: int(50) }),
    result: z.array(
      z.looseObject({
        flag: z.string(),
        uin: z.string(),
        nick: z.string(),
        source: z.string(),
        reason: z.string(),
        msg: z.string(),
        group_code: z.string(),
        time: z.string(),
        type: z.string(),
      }),
    ),
  }),
  set_doubt_friends_add_request: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: 'Approve (or with approve=false dismiss) a suspicious friend request.',
    params: params({ flag: str(), approve: bool(true) }),
    result: s.nothing,
  }),
  translate_en2zh: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: 'English words translated to Chinese, one answer per word.',
    params: params({ words: words() }),
    result: z.array(z.string()),
  }),
  get_robot_uin_range: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: "The number ranges of QQ's official bots.",
    params: params({}),
    result: z.array(z.looseObject({ minUin: z.string(), maxUin: z.string() })),
  }),
  get_recommend_face: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: 'Sticker URLs QQ recommends for a word (LLOneBot).',
    params: params({ word: str() }),
    result: z.looseObject({ url: z.array(z.string()) }),
  }),
  get_clientkey: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: "The account's client key.",
    params: params({}),
    result: z.looseObject({ clientkey: z.string() }),
  }),
  get_rkey: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: 'The keys image URLs need, for private chats and for groups.',
    params: params({}),
    result: z.array(
      z.looseObject({
        type: z.string(),
        rkey: z.string(),
        created_at: z.number(),
        ttl: z.string(),
      }),
    ),
  }),
  ArkSharePeer: action({
    ...contactCard,
    summary: 'Contact card (ark JSON) of a user or a group (deprecated name of send_ark_share).',
  }),
  send_ark_share: action({
    ...contactCard,
    summary: 'Contact card (ark JSON) of a user or a group.',
  }),
  ArkShareGroup: action({
    ...groupCard,
    summary: 'Share card (ark JSON) of a group (deprecated name of send_group_ark_share).',
  }),
  send_group_ark_share: action({ ...groupCard, summary: 'Share card (ark JSON) of a group.' }),
  get_mini_app_ark: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: 'A mini-app card (ark) for type bili/weibo, or for the app described.',
    params: params({
      type: optionalStr(),
      title: str(),
      desc: str(),
      picUrl: str(),
      jumpUrl: str(),
      webUrl: optionalStr(),
      iconUrl: optionalStr(),
      appId: optionalStr(),
      scene: optionalInt(),
      templateType: optionalInt(),
      businessType: optionalInt(),
      verType: optionalInt(),
      shareType: optionalInt(),
      versionId: optionalStr(),
      sdkId: optionalStr(),
      withShareTicket: optionalInt(),
      rawArkData: optionalStr(),
    }),
    result: z.looseObject({ data: z.record(z.string(), z.unknown()) }),
  }),
} as const;
