/**
 * Values the QQ network makes for NT-era services, simulated: each is a pure function of its
 * inputs, the account and (for keys) the current time window, so the same call in the same
 * window answers the same, and nothing is a fixed placeholder (README "Simulated NT-era
 * values"). None of it is QQ's real algorithm.
 */
import { createHash } from 'node:crypto';
import { type Ops, SimError } from '@cqfleet/sim-client';
import { now, type WorldState } from './state.js';

type Result<K extends keyof Ops> = Ops[K]['result'];

const digest = (s: string) => createHash('sha256').update(s).digest();

/** How long an rkey or a client key lives; a new one starts every window. */
export const KEY_WINDOW_S = 3600;

const windowStart = (t = now()) => Math.floor(t / KEY_WINDOW_S) * KEY_WINDOW_S;

// --- translation: a toy dictionary, word by word ----------------------------------------------

const DICTIONARY: Readonly<Record<string, string>> = {
  hello: '你好',
  hi: '嗨',
  world: '世界',
  good: '好',
  morning: '早上',
  night: '夜晚',
  thanks: '谢谢',
  thank: '感谢',
  you: '你',
  i: '我',
  we: '我们',
  they: '他们',
  friend: '朋友',
  friends: '朋友们',
  group: '群组',
  message: '消息',
  word: '单词',
  words: '单词',
  cat: '猫',
  dog: '狗',
  bot: '机器人',
  robot: '机器人',
  file: '文件',
  image: '图片',
  picture: '图片',
  voice: '语音',
  video: '视频',
  music: '音乐',
  love: '爱',
  like: '喜欢',
  yes: '是',
  no: '不',
  new: '新的',
  old: '旧的',
  big: '大',
  small: '小',
  day: '天',
  time: '时间',
  today: '今天',
  tomorrow: '明天',
  yesterday: '昨天',
  water: '水',
  food: '食物',
  apple: '苹果',
  book: '书',
  school: '学校',
  work: '工作',
  home: '家',
  happy: '快乐',
  sad: '难过',
  computer: '计算机',
  phone: '手机',
  network: '网络',
  server: '服务器',
  account: '账号',
  online: '在线',
  offline: '离线',
  game: '游戏',
  play: '玩',
  open: '打开',
  close: '关闭',
  send: '发送',
  receive: '接收',
  test: '测试',
  fleet: '舰队',
  red: '红色',
  blue: '蓝色',
  green: '绿色',
  one: '一',
  two: '二',
  three: '三',
};

/** Each input translated word by word; a word the dictionary lacks stays as it was. */
export function translate(words: string[]): Result<'translate'> {
  return words.map(phrase =>
    phrase
      .split(/(\s+)/)
      .map(token => (/^\s+$/.test(token) ? '' : (DICTIONARY[token.toLowerCase()] ?? token)))
      .join(''),
  );
}

// --- keys ---------------------------------------------------------------------------------

/** The image rkeys of the account's current window: one for private chats, one for groups. */
export function rkeys(actor: number): Result<'get_rkeys'> {
  const created = windowStart();
  return (['private', 'group'] as const).map(type => ({
    type,
    rkey: '&rkey=CAQS' + digest(`rkey:${type}:${actor}:${created}`).toString('base64url'),
    created_at: created,
    ttl: KEY_WINDOW_S,
  }));
}

export function clientKey(actor: number): Result<'get_client_key'> {
  const start = windowStart();
  return {
    clientkey: digest(`clientkey:${actor}:${start}`).toString('hex').toUpperCase(),
    expire_time: start + KEY_WINDOW_S,
  };
}

/**
 * The number ranges of QQ's official bots. These are constants on QQ's side too (the ranges it
 * is known to report), so the simulator answers them as they are.
 */
export function robotUinRanges(): Result<'get_robot_uin_ranges'> {
  return [
    { min_uin: 3328144510, max_uin: 3328144510 },
    { min_uin: 2854196301, max_uin: 2854216399 },
    { min_uin: 66600000, max_uin: 66600000 },
    { min_uin: 3889000000, max_uin: 3889999999 },
    { min_uin: 4010000000, max_uin: 4019999999 },
  ];
}

/** Sticker URLs for a word: 3 to 6, always the same for the same word, served by the network. */
export function recommendFaces(w: WorldState, word: string): Result<'get_recommend_faces'> {
  const key = word.trim().toLowerCase();
  if (!key) return [];
  const h = digest(`face:${key}`);
  const count = 3 + ((h[0] ?? 0) % 4);
  const stem = h.toString('hex').slice(0, 16);
  return Array.from({ length: count }, (_, i) => w.mediaUrl('image', `face-${stem}-${i}.png`));
}

// --- arks ---------------------------------------------------------------------------------

const token = (...parts: Array<string | number>) =>
  digest(`ark:${parts.join(':')}`)
    .toString('hex')
    .slice(0, 32);

/** A contact card (QQ's `com.tencent.contact.lua`) of a user, or of a group the actor is in. */
export function contactArk(
  w: WorldState,
  actor: number,
  chat: { group_id: number } | { user_id: number },
  phone: string,
): Result<'get_contact_ark'> {
  const ctime = now();
  let card: { avatar: string; contact: string; jumpUrl: string; nickname: string; tag: string };
  let prompt: string;
  if ('group_id' in chat) {
    const g = w.memberGroup(actor, chat.group_id);
    const id = g.info.group_id;
    prompt = `推荐群聊：${g.info.group_name}`;
    card = {
      avatar: `https://p.qlogo.cn/gh/${id}/${id}/100`,
      contact: `群号：${id}`,
      jumpUrl: `mqqapi://card/show_pslcard?src_type=internal&card_type=group&uin=${id}`,
      nickname: g.info.group_name,
      tag: '推荐群聊',
    };
  } else {
    const u = w.user(chat.user_id, 'API_ERROR').profile;
    prompt = `推荐联系人：${u.nickname}`;
    card = {
      avatar: w.avatar(u.user_id),
      contact: phone ? `手机号：${phone}` : `QQ号：${u.user_id}`,
      jumpUrl: `mqqapi://card/show_pslcard?src_type=internal&source=sharecard&uin=${u.user_id}`,
      nickname: u.nickname,
      tag: '推荐联系人',
    };
  }
  const ark = {
    app: 'com.tencent.contact.lua',
    bizsrc: '',
    desc: '',
    view: 'contact',
    ver: '0.0.0.1',
    prompt,
    meta: { contact: { ...card, tagIcon: '' } },
    config: {
      autosize: 1,
      ctime,
      forward: 1,
      token: token(actor, JSON.stringify(chat), ctime),
      type: 'normal',
    },
  };
  return { ark: JSON.stringify(ark) };
}

/** The mini-apps `type` names (simulated ids and icons, not QQ's). */
const MINI_APPS: Readonly<Record<string, { app_id: string; name: string; scene: number }>> = {
  bili: { app_id: '1109937557', name: '哔哩哔哩', scene: 1036 },
  weibo: { app_id: '1109224783', name: '微博', scene: 1036 },
};

export function miniAppArk(
  w: WorldState,
  actor: number,
  a: Ops['get_mini_app_ark']['parsed'],
): Result<'get_mini_app_ark'> {
  const known = a.type ? MINI_APPS[a.type] : undefined;
  if (a.type && !known) throw new SimError('INVALID_PARAMS', `no mini-app type ${a.type}`);
  const appId = known?.app_id ?? a.app_id;
  if (!appId) throw new SimError('INVALID_PARAMS', 'appId is required without type');
  if (!a.title || !a.jump_url)
    throw new SimError('INVALID_PARAMS', 'title and jumpUrl are required');
  const ctime = now();
  const template = token('miniapp', appId).toUpperCase();
  return {
    app: 'com.tencent.miniapp_01',
    view: `view_${template}`,
    ver: '1.0.0.19',
    prompt: `[QQ小程序]${a.title}`,
    desc: known?.name ?? a.title,
    config: {
      type: 'normal',
      width: 0,
      height: 0,
      forward: 1,
      autoSize: 0,
      ctime,
      token: token(actor, appId, a.jump_url, ctime),
    },
    meta: {
      detail_1: {
        appid: appId,
        appType: 0,
        title: known?.name ?? a.title,
        desc: a.desc || a.title,
        icon: a.icon_url || w.mediaUrl('image', `miniapp-${appId}.png`),
        preview: a.pic_url,
        url: a.jump_url,
        scene: a.scene ?? known?.scene ?? 1036,
        host: { uin: actor, nick: w.user(actor).profile.nickname },
        shareTemplateId: template,
        shareTemplateData: {},
        qqdocurl: a.web_url || a.jump_url,
        showLittleTail: '',
        gamePoints: '',
        gamePointsUrl: '',
        shareOrigin: a.share_type ?? 0,
        templateType: a.template_type ?? 1,
        businessType: a.business_type ?? 0,
        verType: a.ver_type ?? 3,
        versionId: a.version_id,
        sdkId: a.sdk_id,
        withShareTicket: a.with_share_ticket ?? 0,
      },
    },
  };
}
