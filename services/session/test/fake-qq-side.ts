/**
 * A QQ side in memory, for running session handlers without a cluster. It speaks the contract
 * (@cqfleet/qq-side): every call's arguments are read by the table (so a handler that asks the
 * QQ side for something it would refuse fails here too), every answer is a fixture that fits the
 * op's result schema (checked on the way out), and every call is recorded. A test may replace an
 * answer or make an op fail.
 */
import { type OneBotError } from '@cqfleet/onebot';
import { type OpName, type Ops, parseArgs, parseResult } from '@cqfleet/qq-side';
import type { QQSidePort } from '../src/driver/index.js';

export const SELF = 10001;
export const GROUP = 100100;
export const PERSON = 20001;
const T = 1_700_000_000;

const user = (user_id: number, nickname: string) => ({
  user_id,
  nickname,
  sex: 'female' as const,
  age: 20,
  level: 32,
  sign: 'hi',
  qid: '',
  login_days: 100,
  vip_level: 'SVIP1',
});
const member = (user_id: number, role: 'owner' | 'admin' | 'member') => ({
  group_id: GROUP,
  user_id,
  nickname: `n${user_id}`,
  card: '',
  sex: 'unknown' as const,
  age: 0,
  area: '',
  join_time: T,
  last_sent_time: T,
  level: '1',
  role,
  title: '',
  title_expire_time: 0,
  shut_up_timestamp: 0,
});
const group = {
  group_id: GROUP,
  group_name: 'cqfleet users',
  group_memo: '',
  group_create_time: T,
  group_level: 1,
  member_count: 3,
  max_member_count: 200,
  group_remark: '',
  group_all_shut: 0,
};
const text = (t: string) => [{ type: 'text', data: { text: t } }];
const sent = { seq: 42, time: T, elements: text('sent') };
const honors = { user_id: PERSON, nickname: 'alice', avatar: '', description: 'talkative' };
const guild = {
  guild_id: '1',
  guild_name: 'g',
  guild_display_id: '1',
  channels: [
    {
      channel_id: '2',
      channel_name: 'c',
      channel_type: 1,
      owner_guild_id: '1',
      creator_tiny_id: '3',
      create_time: T,
    },
  ],
  members: [{ tiny_id: '3', title: '', nickname: 'me', role_id: '4', role_name: 'member' }],
  roles: [
    {
      role_id: '4',
      role_name: 'member',
      argb_color: 0,
      independent: false,
      member_count: 1,
      max_count: 100,
      owned: false,
      disabled: false,
    },
  ],
  self_tiny_id: '3',
};

type Answer<K extends OpName> = (args: Ops[K]['parsed']) => unknown;

/** What the QQ side answers each op with, unless a test says otherwise. */
const ANSWERS: { [K in Exclude<OpName, 'login'>]: Answer<K> } = {
  get_friends: () => [{ user_id: PERSON, nickname: 'alice', remark: '' }],
  get_unidirectional_friends: () => [{ user_id: 20009, nickname: 'fan', source: 'search' }],
  delete_friend: () => null,
  delete_unidirectional_friend: () => null,
  get_user: a => user(a.user_id, 'someone'),
  get_vip_info: a => ({
    user_id: a.user_id,
    nickname: 'someone',
    level: 1,
    level_speed: 1,
    vip_level: 'SVIP1',
    vip_growth_speed: 1,
    vip_growth_total: 1,
  }),
  send_like: () => null,
  poke: () => null,
  set_profile: () => null,
  handle_friend_request: () => null,
  get_online_clients: () => [{ app_id: 1, device_name: 'phone', device_kind: 'mobile' }],
  get_model_show: a => [{ model_show: a.model, need_pay: false }],
  set_model_show: () => null,
  get_cookies: () => ({ cookies: 'uin=o10001', csrf_token: 123 }),
  check_url: () => ({ level: 1 }),
  get_custom_faces: () => ['http://faces/1.png'],
  // account NT-era (issue 17)
  set_avatar: () => null,
  get_avatar: a => ({ url: `http://qq/avatar/${a.user_id ?? a.group_id ?? SELF}` }),
  set_long_nick: () => null,
  set_friend_remark: () => null,
  set_friend_category: () => null,
  get_friend_categories: () => [
    {
      category_id: 0,
      category_name: 'friends',
      sort_id: 0,
      online_count: 1,
      friends: [
        {
          user_id: PERSON,
          nickname: 'alice',
          remark: '',
          sex: 'female',
          age: 20,
          level: 1,
          category_id: 0,
        },
      ],
    },
  ],
  set_input_status: () => null,
  set_online_status: () => null,
  set_custom_status: () => null,
  get_user_status: () => ({ status: 10, ext_status: 0, battery_status: 100, custom: null }),
  get_profile_likes: a => {
    const users = [
      {
        user_id: PERSON,
        uid: 'u_alice',
        nickname: 'alice',
        sex: 'female' as const,
        age: 20,
        vip_level: 'SVIP1',
        count: 3,
        today_count: 1,
        last_time: T,
        is_friend: true,
        available_today: 9,
      },
    ];
    const list = { total_count: 3, today_count: 1, last_time: T, new_count: 1, users };
    return {
      user_id: a.user_id ?? SELF,
      uid: 'u_me',
      given: list,
      received: list,
      last_visit_time: T,
      next_start: -1,
    };
  },
  get_doubt_requests: () => [
    {
      flag: 'd1',
      user_id: PERSON,
      nickname: 'alice',
      source: 'search',
      reason: 'link',
      comment: 'www.x',
      group_id: 0,
      time: T,
    },
  ],
  handle_doubt_request: () => null,
  translate: a => a.words.map(w => `zh:${w}`),
  get_recommend_faces: a => [`http://qq/face/${a.word}.png`],
  get_robot_uin_ranges: () => [{ min_uin: 1, max_uin: 2 }],
  get_client_key: () => ({ clientkey: 'KEY', expire_time: T + 3600 }),
  get_rkeys: () => [{ type: 'group', rkey: '&rkey=x', created_at: T, ttl: 3600 }],
  get_contact_ark: () => ({ ark: '{"app":"com.tencent.contact.lua"}' }),
  get_mini_app_ark: a => ({
    app: 'com.tencent.miniapp_01',
    view: 'view_1',
    ver: '1.0.0.19',
    prompt: a.title,
    config: { type: 'normal' },
    meta: { detail_1: { appid: a.app_id } },
  }),
  get_groups: () => [group],
  get_group: () => group,
  find_group: () => ({ ...group, group_create_time: 0, group_level: 0 }),
  kick_members: () => null,
  set_group_remark: () => null,
  get_msg_masks: () => [{ group_id: GROUP, group_name: 'cqfleet users', msg_mask: 1 }],
  set_msg_mask: () => null,
  get_ai_characters: () => [
    {
      type: '推荐',
      characters: [
        { character_id: 'sim-voice-girl', character_name: 'girl', preview_url: 'http://qq/v' },
      ],
    },
  ],
  get_ai_record: () => ({ url: 'http://qq/ai-voices/sim-voice-girl.wav?text=hi' }),
  send_ai_record: () => ({
    ...sent,
    elements: [{ type: 'record', data: { file: `${'d'.repeat(32)}.amr`, url: 'http://qq/r' } }],
  }),
  get_members: () => [member(SELF, 'owner'), member(PERSON, 'admin')],
  get_member: a => member(a.user_id, a.user_id === SELF ? 'owner' : 'member'),
  kick: () => null,
  ban: () => null,
  ban_anonymous: () => null,
  whole_ban: () => null,
  set_admin: () => null,
  set_anonymous: () => null,
  set_card: () => null,
  set_group_name: () => null,
  leave_group: () => null,
  set_title: () => null,
  set_portrait: () => null,
  sign_in: () => null,
  get_at_all_remain: () => ({
    can_at_all: true,
    remain_at_all_count_for_group: 10,
    remain_at_all_count_for_uin: 5,
  }),
  get_honors: a => ({
    group_id: a.group_id,
    current_talkative: { user_id: PERSON, nickname: 'alice', avatar: '', day_count: 3 },
    talkative_list: [honors],
    performer_list: [],
    legend_list: [],
    strong_newbie_list: [],
    emotion_list: [],
  }),
  get_shut_list: () => [{ ...member(PERSON, 'member'), shut_up_timestamp: T + 60 }],
  send_notice: () => ({ notice_id: 'n1' }),
  get_notices: () => [
    {
      notice_id: 'n1',
      sender_id: SELF,
      publish_time: T,
      message: { text: 'notice', images: [] },
    },
  ],
  delete_notice: () => null,
  get_system_messages: () => ({ invited_requests: null, join_requests: null }),
  handle_group_request: () => null,
  send_group_msg: () => sent,
  send_private_msg: () => sent,
  send_forward: () => ({ ...sent, resid: 'res1' }),
  get_forward: () => [{ user_id: PERSON, nickname: 'alice', time: T, elements: text('node') }],
  get_message: a => ({
    seq: a.seq,
    time: T,
    sender_id: PERSON,
    sender_name: 'alice',
    ...a.chat,
    elements: text('stored'),
    recalled: false,
  }),
  get_group_messages: () => [],
  recall: () => null,
  set_essence: () => null,
  get_essence_list: () => [
    {
      sender_id: PERSON,
      sender_nick: 'alice',
      sender_time: T,
      operator_id: SELF,
      operator_nick: 'me',
      operator_time: T,
      seq: 7,
    },
  ],
  react: () => null,
  mark_read: () => null,
  get_recent_contacts: () => [
    {
      chat_type: 'group',
      peer_id: GROUP,
      peer_name: 'cqfleet users',
      last_seq: 7,
      last_time: T,
      last_sender_id: PERSON,
      last_message: text('hi'),
      remark: '',
      unread: 2,
      last_sender: member(PERSON, 'member'),
    },
  ],
  mark_all_read: () => null,
  get_reactions: () => [
    { user_id: PERSON, nickname: 'alice', avatar: 'http://qq/avatar/20001' },
    { user_id: SELF, nickname: 'me', avatar: 'http://qq/avatar/10001' },
  ],
  forward_single: () => sent,
  voice_text: () => ({ text: '你好' }),
  send_gift: () => null,
  get_media: a => ({ url: `http://qq/media/${a.name}`, size: 10, filename: a.name }),
  upload_ticket: a => ({ url: `http://qq/upload/${a.kind}` }),
  get_fs_info: () => ({ file_count: 1, limit_count: 10, used_space: 5, total_space: 100 }),
  list_files: () => ({ files: [], folders: [] }),
  get_file_url: () => ({ url: 'http://qq/file/1' }),
  create_folder: () => ({ folder_id: '/d1' }),
  rename_folder: () => null,
  delete_folder: () => null,
  delete_file: () => null,
  upload_group_file: () => ({ file_id: 'f1' }),
  upload_private_file: () => ({ file_id: 'p1' }),
  file_upload_ticket: () => ({ url: 'http://qq/upload/file', max_bytes: 1 << 20 }),
  move_file: () => null,
  rename_file: () => null,
  set_file_forever: () => null,
  get_private_file_url: () => ({ url: 'http://qq/file/p1' }),
  get_file_info: a => ({
    file_id: a.file_id,
    file_name: 'report.txt',
    file_size: 12,
    md5: 'e'.repeat(32),
    url: 'http://qq/file/1',
    group_id: GROUP,
    busid: 102,
    dead_time: 0,
  }),
  get_guilds: () => [guild],
  send_guild_msg: () => ({ seq: 1, time: T }),
  get_guild_msg: a => ({
    guild_id: a.guild_id,
    channel_id: a.channel_id,
    seq: a.seq,
    time: T,
    sender_tiny_id: '3',
    sender_nickname: 'me',
    elements: text('guild'),
  }),
  guild_role: () => ({ role_id: '5' }),
};

export class FakeQQSide implements QQSidePort {
  readonly calls: Array<{ op: OpName; args: unknown }> = [];
  readonly answers: Partial<typeof ANSWERS> = {};
  readonly failing = new Map<OpName, OneBotError>();

  async call<K extends Exclude<OpName, 'login'>>(
    op: K,
    args: Ops[K]['args'],
  ): Promise<Ops[K]['result']> {
    // Read as the QQ side reads it: a handler asking for what it would refuse fails here too.
    const parsed = parseArgs(op, args);
    this.calls.push({ op, args });
    const fail = this.failing.get(op);
    if (fail) throw fail;
    const answer = (this.answers[op] ?? ANSWERS[op]) as Answer<K>;
    return parseResult(op, answer(parsed));
  }

  self = async () => parseResult('get_user', user(SELF, 'me'));
  refreshSelf = this.self;

  /** The ops called, in order. */
  get ops(): OpName[] {
    return this.calls.map(c => c.op);
  }
}
