/**
 * The account's NT-era extensions over the QQ side, answered in NapCat's shapes (LLOneBot's
 * where only it has the action). Refusals are the QQ side's own tags (FRIEND_NOT_FOUND,
 * FLAG_NOT_FOUND, API_ERROR, …).
 */
import { fail } from '@cqfleet/onebot';
import type { Ops } from '@cqfleet/sim-client';
import type { ActionContext, SessionHandlers } from '../actions/context.js';
import { driverOp, seconds } from '../actions/helpers.js';
import { resolveMedia } from '../segments/media.js';

type LikeUser = Ops['get_profile_likes']['result']['given']['users'][number];

/** NapCat's answer to a call into QQ that succeeded. */
const done = () => ({ result: 0, errMsg: '' });

/** NT's gender numbers. */
const gender = (sex: string) => (sex === 'male' ? 1 : sex === 'female' ? 2 : 0);

/** One person of a like list with NT's field names, as NapCat and LLOneBot pass them on. */
function likeUser(u: LikeUser) {
  return {
    uid: u.uid,
    uin: u.user_id,
    src: 0,
    latestTime: u.last_time,
    count: u.count,
    giftCount: 0,
    customId: 0,
    lastCharged: 0,
    bAvailableCnt: u.available_today,
    bTodayVotedCnt: u.today_count,
    nick: u.nickname,
    gender: gender(u.sex),
    age: u.age,
    isFriend: u.is_friend,
    isvip: u.vip_level !== '' && u.vip_level !== '普通用户',
    isSvip: u.vip_level.startsWith('SVIP'),
  };
}

async function friendsWithCategory(_p: unknown, { qq }: ActionContext) {
  return (await qq.call('get_friend_categories', {})).map(c => ({
    categoryId: c.category_id,
    categorySortId: c.sort_id,
    categoryName: c.category_name,
    categoryMbCount: c.friends.length,
    onlineCount: c.online_count,
    buddyList: c.friends.map(f => ({
      user_id: f.user_id,
      nickname: f.nickname,
      remark: f.remark,
      sex: f.sex,
      age: f.age,
      level: f.level,
      category_id: f.category_id,
    })),
  }));
}

/** A contact card of a user or a group, in NapCat's `{errCode, errMsg, arkJson}`. */
async function contactCard(
  p: { user_id?: number; group_id?: number; phone_number?: string; phoneNumber?: string },
  { qq }: ActionContext,
) {
  if (!p.group_id && !p.user_id) fail('INVALID_PARAMS', 'group_id or user_id is required');
  const { ark } = await qq.call('get_contact_ark', {
    user_id: p.user_id,
    group_id: p.group_id,
    phone_number: p.phone_number ?? p.phoneNumber ?? '',
  });
  return { errCode: 0, errMsg: '', arkJson: ark };
}

async function groupCard(p: { group_id: number }, { qq }: ActionContext) {
  return (await qq.call('get_contact_ark', { group_id: p.group_id, phone_number: '' })).ark;
}

export const accountNtHandlers = {
  set_qq_avatar: async (p, ctx) => {
    const image = await resolveMedia(ctx, p.file ?? '', 'LOAD_FILE_ERROR');
    await ctx.qq.call('set_avatar', { image: image.name });
    return null;
  },
  get_qq_avatar: async (p, { qq }) => {
    if (!p.user_id && !p.group_id) fail('INVALID_PARAMS', '未指定 user_id 或 group_id');
    return qq.call('get_avatar', { user_id: p.user_id, group_id: p.group_id });
  },
  /** The long nick is the signature: later profile reads show it. */
  set_self_longnick: async (p, { qq }) => {
    await qq.call('set_long_nick', { long_nick: p.longNick ?? '' });
    await qq.refreshSelf();
    return done();
  },
  set_friend_remark: driverOp('set_friend_remark', p => ({ user_id: p.user_id, remark: p.remark })),
  set_friend_category: driverOp('set_friend_category', p => ({
    user_id: p.user_id,
    category_id: p.category_id,
  })),
  get_friends_with_category: friendsWithCategory,
  get_friend_with_category: friendsWithCategory,
  set_input_status: async (p, { qq }) => {
    await qq.call('set_input_status', { user_id: p.user_id, event_type: p.event_type });
    return done();
  },
  set_online_status: driverOp('set_online_status', p => ({
    status: p.status,
    ext_status: p.ext_status,
    battery_status: p.battery_status,
  })),
  /** NapCat's defaults: face type 1, a blank wording; it answers QQ's (empty) error text. */
  set_diy_online_status: async (p, { qq }) => {
    await qq.call('set_custom_status', {
      face_id: p.face_id,
      face_type: p.face_type ?? 1,
      wording: p.wording ?? ' ',
    });
    return '';
  },
  /**
   * NapCat's shape (and its default page of 10), with LLOneBot's `users` / `nextStart` (whom the
   * account liked) beside it.
   */
  get_profile_like: async (p, { qq }) => {
    const likes = await qq.call('get_profile_likes', {
      user_id: p.user_id,
      start: p.start ?? 0,
      count: p.count ?? 10,
    });
    const favorite = likes.given.users.map(likeUser);
    return {
      uid: likes.uid,
      time: seconds(),
      favoriteInfo: {
        total_count: likes.given.total_count,
        last_time: likes.given.last_time,
        today_count: likes.given.today_count,
        userInfos: favorite,
      },
      voteInfo: {
        total_count: likes.received.total_count,
        new_count: likes.received.new_count,
        new_nearby_count: 0,
        last_visit_time: likes.last_visit_time,
        userInfos: likes.received.users.map(likeUser),
      },
      users: favorite,
      nextStart: likes.next_start,
    };
  },
  get_profile_like_me: async (p, { qq }) => {
    const likes = await qq.call('get_profile_likes', { start: p.start, count: p.count });
    return { users: likes.received.users.map(likeUser), nextStart: likes.next_start };
  },
  get_doubt_friends_add_request: async (p, { qq }) =>
    (await qq.call('get_doubt_requests', { count: p.count })).map(d => ({
      flag: d.flag,
      uin: String(d.user_id),
      nick: d.nickname,
      source: d.source,
      reason: d.reason,
      msg: d.comment,
      group_code: String(d.group_id),
      time: String(d.time),
      type: 'doubt',
    })),
  set_doubt_friends_add_request: driverOp('handle_doubt_request', p => ({
    flag: p.flag,
    approve: p.approve,
  })),
  translate_en2zh: (p, { qq }) => qq.call('translate', { words: p.words }),
  get_robot_uin_range: async (_p, { qq }) =>
    (await qq.call('get_robot_uin_ranges', {})).map(r => ({
      minUin: String(r.min_uin),
      maxUin: String(r.max_uin),
    })),
  get_recommend_face: async (p, { qq }) => ({
    url: await qq.call('get_recommend_faces', { word: p.word }),
  }),
  get_clientkey: async (_p, { qq }) => ({
    clientkey: (await qq.call('get_client_key', {})).clientkey,
  }),
  get_rkey: async (_p, { qq }) =>
    (await qq.call('get_rkeys', {})).map(k => ({
      type: k.type,
      rkey: k.rkey,
      created_at: k.created_at,
      ttl: String(k.ttl),
    })),
  ArkSharePeer: contactCard,
  send_ark_share: contactCard,
  ArkShareGroup: groupCard,
  send_group_ark_share: groupCard,
  /** `rawArkData` "true" answers the ark as QQ's share service gives it (NapCat's raw form). */
  get_mini_app_ark: async (p, { qq }) => {
    const ark = await qq.call('get_mini_app_ark', {
      type: p.type ?? '',
      title: p.title,
      desc: p.desc,
      pic_url: p.picUrl,
      jump_url: p.jumpUrl,
      web_url: p.webUrl ?? '',
      icon_url: p.iconUrl ?? '',
      app_id: p.appId ?? '',
      scene: p.scene,
      template_type: p.templateType,
      business_type: p.businessType,
      ver_type: p.verType,
      share_type: p.shareType,
      version_id: p.versionId ?? '',
      sdk_id: p.sdkId ?? '',
      with_share_ticket: p.withShareTicket,
    });
    if (p.rawArkData !== 'true') return { data: ark };
    const { app, view, meta, ...rest } = ark;
    return { data: { appName: app, appView: view, metaData: meta, ...rest } };
  },
} satisfies SessionHandlers;
