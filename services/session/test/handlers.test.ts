/**
 * Every session handler, in process, against a QQ side in memory (fake-qq-side.ts, speaking the
 * @cqfleet/qq-side contract): the table below gives each action of the session its parameters,
 * the QQ-side operations it must perform, and any check of its own; every answer must have the
 * go-cqhttp shape the action table gives (its result schema). An action of the session's
 * without a case fails the first test, so a new handler comes with one.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MediaClient } from '@cqfleet/media-client';
import {
  type ActionName,
  actions,
  actionsOwnedBy,
  messageId,
  type MessageEvent,
  OneBotError,
  parseParams,
} from '@cqfleet/onebot';
import type { OpName } from '@cqfleet/qq-side';
import { sessionHandlers } from '@cqfleet/session';
import { describe, expect, it } from 'vitest';
import type { AccountRuntime } from '../src/account.js';
import type { ActionContext } from '../src/actions/context.js';
import { FakeQQSide, GROUP, PERSON, SELF } from './fake-qq-side.js';

/** A group message this account has, as history keeps it. */
const STORED: MessageEvent = {
  post_type: 'message',
  message_type: 'group',
  sub_type: 'normal',
  time: 1_700_000_000,
  self_id: SELF,
  message_id: messageId(GROUP, 7),
  message_seq: 7,
  group_id: GROUP,
  user_id: PERSON,
  anonymous: null,
  message: [{ type: 'text', data: { text: 'stored' } }],
  message_format: 'array',
  raw_message: 'stored',
  font: 0,
  sender: {
    user_id: PERSON,
    nickname: 'alice',
    card: '',
    role: 'member',
    title: '',
    level: '1',
    sex: 'unknown',
    age: 0,
    area: '',
  },
} as MessageEvent;

/** The file roots: a local file to upload lives here. */
const roots = mkdtempSync(join(tmpdir(), 'handlers-'));
writeFileSync(join(roots, 'report.txt'), 'a group file');

interface Run {
  result: unknown;
  qq: FakeQQSide;
  published: unknown[];
  jobs: Array<{ name: string; args: unknown }>;
}

async function run(action: ActionName, raw: Record<string, unknown>, qq = new FakeQQSide()) {
  const published: unknown[] = [];
  const jobs: Run['jobs'] = [];
  const account = {
    uin: SELF,
    stats: { messageReceived: 0, messageSent: 0, lastMessageTime: 0 },
    online: true,
    driver: {
      kind: 'native',
      state: 'online',
      protocol: 6,
      stats: { packetReceived: 1, packetSent: 1, packetLost: 0, disconnectTimes: 0, lostTimes: 0 },
      reconnect: () => undefined,
    },
    publish: async (_id: string, event: unknown) => void published.push(event),
    selfMember: (group_id: number) => qq.call('get_member', { group_id, user_id: SELF }),
    track: <T>(fn: () => Promise<T>) => fn(),
  } as unknown as AccountRuntime;
  const media = {
    job: async (name: string, args: Record<string, unknown>) => {
      jobs.push({ name, args });
      if (name === 'media.prepare')
        return { name: `${'a'.repeat(32)}.image`, md5: 'a'.repeat(32), size: 3, uploaded: true };
      if (name === 'media.fetch') return { file: join(roots, 'report.txt'), size: 12 };
      if (name === 'media.record') return { file: join(roots, 'voice.wav') };
      if (name === 'media.ocr')
        return {
          texts: [{ text: 'hi', confidence: 90, coordinates: [{ x: 0, y: 0 }] }],
          language: 'en',
        };
      throw new Error(`no media job ${name}`);
    },
  } as unknown as MediaClient;
  const ctx: ActionContext = {
    account,
    qq,
    format: 'string',
    history: {
      find: async (_self, id, tag) => {
        if (id === STORED.message_id) return STORED;
        throw new OneBotError(tag);
      },
      close: () => undefined,
    },
    media,
    options: {
      ignoreInvalidCqcode: false,
      extraReplyData: false,
      mediaTimeoutMs: 1_000,
      upstreamMaxInlineBytes: 1 << 20,
    },
    signal: new AbortController().signal,
  };
  const handler = sessionHandlers[action as keyof typeof sessionHandlers] as (
    p: unknown,
    c: ActionContext,
  ) => Promise<unknown>;
  const result = await handler(parseParams(action, raw), ctx);
  return { result, qq, published, jobs };
}

const g = { group_id: GROUP };
const u = { user_id: PERSON };
const gu = { ...g, ...u };
const stored = { message_id: STORED.message_id };
const node = { type: 'node', data: { name: 'bob', uin: '20002', content: 'a node' } };
const guild = { guild_id: '1', channel_id: '2' };

/**
 * Each action's parameters, the QQ-side operations it must perform (in order), and the
 * failure it must answer with instead, where that is what the QQ side's answers call for.
 */
const CASES: Record<string, { params?: Record<string, unknown>; ops: OpName[]; fails?: string }> = {
  send_private_msg: { params: { ...u, message: 'hi' }, ops: ['send_private_msg'] },
  // The account's own member record goes into its message_sent event.
  send_group_msg: {
    params: { ...g, message: 'hi[CQ:face,id=14]' },
    ops: ['get_member', 'send_group_msg'],
  },
  send_msg: {
    params: { ...g, message_type: 'group', message: 'hi' },
    ops: ['get_member', 'send_group_msg'],
  },
  delete_msg: { params: stored, ops: ['recall'] },
  send_group_forward_msg: {
    params: { ...g, messages: [node] },
    ops: ['send_forward', 'get_member'],
  },
  send_private_forward_msg: { params: { ...u, messages: [node] }, ops: ['send_forward'] },
  send_forward_msg: { params: { ...g, messages: [node] }, ops: ['send_forward', 'get_member'] },
  mark_msg_as_read: { params: stored, ops: ['mark_read'] },
  mark_private_msg_as_read: { params: u, ops: ['mark_read'] },
  mark_group_msg_as_read: { params: g, ops: ['mark_read'] },
  set_msg_emoji_like: { params: { ...stored, emoji_id: '76' }, ops: ['react'] },
  get_recent_contact: { params: { count: 5 }, ops: ['get_recent_contacts'] },
  set_essence_msg: { params: stored, ops: ['set_essence'] },
  delete_essence_msg: { params: stored, ops: ['set_essence'] },
  get_essence_msg_list: { params: g, ops: ['get_essence_list'] },
  _mark_all_as_read: { ops: ['mark_all_read'] },
  unset_msg_emoji_like: { params: { ...stored, emoji_id: '76' }, ops: ['react'] },
  fetch_emoji_like: {
    params: { ...stored, emojiId: '76', emojiType: '1', count: 1 },
    ops: ['get_reactions'],
  },
  get_emoji_likes: { params: { ...stored, emoji_id: '76' }, ops: ['get_reactions'] },
  send_poke: { params: { ...g, user_id: PERSON }, ops: ['poke'] },
  forward_friend_single_msg: { params: { ...stored, ...u }, ops: ['forward_single'] },
  forward_group_single_msg: { params: { ...stored, ...g }, ops: ['get_member', 'forward_single'] },
  voice_msg_to_text: { params: stored, ops: ['voice_text'] },
  fetch_ptt_text: { params: stored, ops: ['voice_text'] },
  get_group_info: { params: g, ops: ['get_group'] },
  get_group_list: { ops: ['get_groups'] },
  get_group_member_info: { params: gu, ops: ['get_member'] },
  get_group_member_list: { params: g, ops: ['get_members'] },
  get_group_honor_info: { params: { ...g, type: 'all' }, ops: ['get_honors'] },
  set_group_kick: { params: gu, ops: ['kick'] },
  set_group_ban: { params: { ...gu, duration: 60 }, ops: ['ban'] },
  set_group_anonymous_ban: {
    params: { ...g, flag: 'anon|1', duration: 60 },
    ops: ['ban_anonymous'],
  },
  set_group_whole_ban: { params: g, ops: ['whole_ban'] },
  set_group_admin: { params: gu, ops: ['set_admin'] },
  set_group_anonymous: { params: g, ops: ['set_anonymous'] },
  set_group_card: { params: { ...gu, card: 'card' }, ops: ['set_card'] },
  set_group_name: { params: { ...g, group_name: 'renamed' }, ops: ['set_group_name'] },
  set_group_leave: { params: { ...g, is_dismiss: true }, ops: ['leave_group'] },
  set_group_special_title: { params: { ...gu, special_title: 't' }, ops: ['set_title'] },
  set_group_add_request: { params: { flag: 'f1', approve: true }, ops: ['handle_group_request'] },
  set_group_portrait: {
    params: { ...g, file: 'base64://AAAA' },
    ops: ['upload_ticket', 'set_portrait'],
  },
  send_group_sign: { params: g, ops: ['sign_in'] },
  get_group_at_all_remain: { params: g, ops: ['get_at_all_remain'] },
  get_group_system_msg: { ops: ['get_system_messages'] },
  get_group_shut_list: { params: g, ops: ['get_shut_list'] },
  group_poke: { params: gu, ops: ['poke'] },
  _send_group_notice: { params: { ...g, content: 'notice' }, ops: ['send_notice'] },
  _get_group_notice: { params: g, ops: ['get_notices'] },
  _del_group_notice: { params: { ...g, notice_id: 'n1' }, ops: ['delete_notice'] },
  set_group_sign: { params: g, ops: ['sign_in'] },
  set_group_kick_members: {
    params: { ...g, user_id: [String(PERSON), 20002] },
    ops: ['kick_members'],
  },
  batch_delete_group_member: { params: { ...g, user_ids: [PERSON] }, ops: ['kick_members'] },
  set_group_remark: { params: { ...g, remark: 'ours' }, ops: ['set_group_remark'] },
  get_group_msg_mask: { ops: ['get_msg_masks'] },
  set_group_msg_mask: { params: { ...g, mask: 3 }, ops: ['set_msg_mask'] },
  get_ai_characters: { params: g, ops: ['get_ai_characters'] },
  get_ai_record: {
    params: { ...g, character: 'sim-voice-girl', text: 'hi' },
    ops: ['get_ai_record'],
  },
  send_group_ai_record: {
    params: { ...g, character: 'sim-voice-girl', text: 'hi' },
    ops: ['get_member', 'send_ai_record'],
  },
  get_login_info: { ops: [] },
  get_stranger_info: { params: u, ops: ['get_user', 'get_user_status'] },
  get_friend_list: { ops: ['get_friends'] },
  get_unidirectional_friend_list: { ops: ['get_unidirectional_friends'] },
  delete_friend: { params: u, ops: ['delete_friend'] },
  delete_unidirectional_friend: { params: u, ops: ['delete_unidirectional_friend'] },
  set_friend_add_request: { params: { flag: 'f1', approve: true }, ops: ['handle_friend_request'] },
  send_like: { params: { ...u, times: 1 }, ops: ['send_like'] },
  friend_poke: { params: u, ops: ['poke'] },
  _get_vip_info: { params: u, ops: ['get_vip_info'] },
  set_qq_profile: { params: { nickname: 'renamed' }, ops: ['set_profile'] },
  fetch_custom_face: { params: { count: 5 }, ops: ['get_custom_faces'] },
  get_online_clients: { ops: ['get_online_clients'] },
  _get_model_show: { params: { model: 'phone' }, ops: ['get_model_show'] },
  _set_model_show: { params: { model: 'phone', model_show: 'phone' }, ops: ['set_model_show'] },
  qidian_get_account_info: { ops: [], fails: 'QIDIAN_PROTOCOL_REQUEST' },
  get_cookies: { params: { domain: 'qun.qq.com' }, ops: ['get_cookies'] },
  get_csrf_token: { ops: ['get_cookies'] },
  get_credentials: { params: { domain: 'qun.qq.com' }, ops: ['get_cookies'] },
  check_url_safely: { params: { url: 'https://example.com/' }, ops: ['check_url'] },
  // account NT-era (issue 17)
  set_qq_avatar: { params: { file: 'base64://AAAA' }, ops: ['upload_ticket', 'set_avatar'] },
  get_qq_avatar: { params: u, ops: ['get_avatar'] },
  set_self_longnick: { params: { longNick: 'hello' }, ops: ['set_long_nick'] },
  set_friend_remark: { params: { ...u, remark: 'al' }, ops: ['set_friend_remark'] },
  set_friend_category: { params: { ...u, category_id: 1 }, ops: ['set_friend_category'] },
  get_friends_with_category: { ops: ['get_friend_categories'] },
  get_friend_with_category: { ops: ['get_friend_categories'] },
  set_input_status: { params: { ...u, event_type: 1 }, ops: ['set_input_status'] },
  set_online_status: {
    params: { status: 30, ext_status: 0, battery_status: 80 },
    ops: ['set_online_status'],
  },
  set_diy_online_status: { params: { face_id: 21, wording: 'busy' }, ops: ['set_custom_status'] },
  get_profile_like: { params: { start: 0, count: 10 }, ops: ['get_profile_likes'] },
  get_profile_like_me: { params: { start: 0, count: 10 }, ops: ['get_profile_likes'] },
  get_doubt_friends_add_request: { params: { count: 5 }, ops: ['get_doubt_requests'] },
  set_doubt_friends_add_request: { params: { flag: 'd1' }, ops: ['handle_doubt_request'] },
  translate_en2zh: { params: { words: ['hello'] }, ops: ['translate'] },
  get_robot_uin_range: { ops: ['get_robot_uin_ranges'] },
  get_recommend_face: { params: { word: 'cat' }, ops: ['get_recommend_faces'] },
  get_clientkey: { ops: ['get_client_key'] },
  get_rkey: { ops: ['get_rkeys'] },
  ArkSharePeer: { params: u, ops: ['get_contact_ark'] },
  send_ark_share: { params: g, ops: ['get_contact_ark'] },
  ArkShareGroup: { params: g, ops: ['get_contact_ark'] },
  send_group_ark_share: { params: g, ops: ['get_contact_ark'] },
  get_mini_app_ark: {
    params: { type: 'bili', title: 't', desc: 'd', picUrl: 'http://p', jumpUrl: 'pages/x' },
    ops: ['get_mini_app_ark'],
  },
  upload_group_file: {
    params: { ...g, file: join(roots, 'report.txt'), name: 'report.txt' },
    ops: ['file_upload_ticket', 'upload_group_file'],
  },
  upload_private_file: {
    params: { ...u, file: 'base64://YQ==', name: 'a.txt' },
    ops: ['file_upload_ticket', 'upload_private_file'],
  },
  move_group_file: {
    params: { ...g, file_id: '/f1', current_parent_directory: '/', target_parent_directory: '/d' },
    ops: ['move_file'],
  },
  rename_group_file: {
    params: { ...g, file_id: '/f1', current_parent_directory: '/', new_name: 'b.txt' },
    ops: ['rename_file'],
  },
  rename_group_file_folder: {
    params: { ...g, folder_id: '/d', new_folder_name: 'docs' },
    ops: ['rename_folder'],
  },
  set_group_file_forever: { params: { ...g, file_id: '/f1' }, ops: ['set_file_forever'] },
  trans_group_file: { params: { ...g, file_id: '/f1' }, ops: ['set_file_forever'] },
  get_private_file_url: { params: { file_id: 'p1' }, ops: ['get_private_file_url'] },
  get_file: { params: { file_id: '/f1' }, ops: ['get_file_info'] },
  upload_image: { params: { file: 'base64://AAAA' }, ops: ['upload_ticket', 'get_media'] },
  get_group_file_system_info: { params: g, ops: ['get_fs_info'] },
  get_group_root_files: { params: g, ops: ['list_files'] },
  get_group_files_by_folder: { params: { ...g, folder_id: '/a' }, ops: ['list_files'] },
  get_group_file_url: { params: { ...g, file_id: 'f1', busid: 102 }, ops: ['get_file_url'] },
  create_group_file_folder: { params: { ...g, name: 'dir' }, ops: ['create_folder'] },
  delete_group_folder: { params: { ...g, folder_id: '/a' }, ops: ['delete_folder'] },
  delete_group_file: { params: { ...g, file_id: 'f1', busid: 102 }, ops: ['delete_file'] },
  get_image: { params: { file: `${'b'.repeat(32)}.image` }, ops: ['get_media'] },
  get_record: { params: { file: `${'c'.repeat(32)}.amr`, out_format: 'wav' }, ops: ['get_media'] },
  ocr_image: { params: { image: `${'b'.repeat(32)}.image` }, ops: ['get_media'] },
  '.ocr_image': { params: { image: 'base64://AAAA' }, ops: [] },
  get_status: { ops: [] },
  get_version_info: { ops: [] },
  set_restart: { params: { delay: 0 }, ops: [] },
  get_guild_service_profile: { ops: ['get_guilds'] },
  get_guild_list: { ops: ['get_guilds'] },
  get_guild_meta_by_guest: { params: { guild_id: '1' }, ops: ['get_guilds'] },
  get_guild_channel_list: { params: { guild_id: '1' }, ops: ['get_guilds'] },
  get_guild_member_list: { params: { guild_id: '1' }, ops: ['get_guilds'] },
  get_guild_member_profile: { params: { guild_id: '1', user_id: '3' }, ops: ['get_guilds'] },
  get_guild_roles: { params: { guild_id: '1' }, ops: ['get_guilds'] },
  create_guild_role: { params: { guild_id: '1', name: 'r' }, ops: ['guild_role'] },
  delete_guild_role: { params: { guild_id: '1', role_id: '4' }, ops: ['guild_role'] },
  set_guild_member_role: {
    params: { guild_id: '1', role_id: '4', users: ['3'] },
    ops: ['guild_role'],
  },
  update_guild_role: { params: { guild_id: '1', role_id: '4', name: 'r' }, ops: ['guild_role'] },
  get_topic_channel_feeds: { params: guild, ops: ['get_guilds'] },
  send_guild_channel_msg: { params: { ...guild, message: 'hi' }, ops: ['send_guild_msg'] },
  get_guild_msg: { params: { message_id: '1-2-3' }, ops: ['get_guild_msg'] },
};

describe('session handlers against a QQ side in memory', () => {
  it('there is a handler, and a case below, for exactly the session actions marked ready', () => {
    expect(Object.keys(sessionHandlers).sort()).toEqual(actionsOwnedBy('session', 'ready').sort());
    expect(Object.keys(CASES).sort()).toEqual(actionsOwnedBy('session').sort());
  });

  it.each(Object.entries(CASES))(
    '%s: the QQ-side operations it performs, and an answer of the table’s shape',
    async (action, c) => {
      const qq = new FakeQQSide();
      const answered = run(action as ActionName, c.params ?? {}, qq);
      if (c.fails) {
        await expect(answered).rejects.toMatchObject({ msg: c.fails });
        expect(qq.ops).toEqual(c.ops);
        return;
      }
      const { result } = await answered;
      expect(qq.ops).toEqual(c.ops);
      const shape = actions[action as ActionName].result.safeParse(result);
      expect(shape.success, JSON.stringify(shape.error?.issues)).toBe(true);
    },
  );
});

describe('session handlers: what they ask and what they answer', () => {
  it('pass the parameters on as the QQ side names them', async () => {
    const { qq } = await run('set_group_ban', { ...gu, duration: 600 });
    expect(qq.calls).toEqual([{ op: 'ban', args: { ...gu, duration: 600 } }]);
  });

  it('keep the QQ side’s failure where go-cqhttp does, and report their own tag otherwise', async () => {
    const qq = new FakeQQSide();
    qq.failing.set('get_group', new OneBotError('GROUP_NOT_FOUND'));
    qq.failing.set('find_group', new OneBotError('GROUP_NOT_FOUND'));
    await expect(run('get_group_info', g, qq)).rejects.toMatchObject({ msg: 'GROUP_NOT_FOUND' });
    qq.failing.set('get_user', new OneBotError('USER_NOT_FOUND' as never));
    await expect(run('get_stranger_info', u, qq)).rejects.toMatchObject({
      msg: 'SUMMARY_API_ERROR',
    });
  });

  it('a sent group message is published as message_sent with the id its seq gives', async () => {
    const { result, published } = await run('send_group_msg', { ...g, message: 'hi' });
    expect(result).toEqual({ message_id: messageId(GROUP, 42) });
    expect(published).toMatchObject([
      { post_type: 'message_sent', group_id: GROUP, message_seq: 42, user_id: SELF },
    ]);
  });

  it('a message id history does not know recalls nothing', async () => {
    const qq = new FakeQQSide();
    await expect(run('delete_msg', { message_id: 1 }, qq)).rejects.toBeInstanceOf(OneBotError);
    expect(qq.ops).toEqual([]);
  });
});

describe('session handlers: NT-era groups', () => {
  it('get_group_info answers the public view of a group the account is not in', async () => {
    const qq = new FakeQQSide();
    qq.failing.set('get_group', new OneBotError('GROUP_NOT_FOUND'));
    const { result } = await run('get_group_info', g, qq);
    expect(qq.ops).toEqual(['get_group', 'find_group']);
    expect(result).toMatchObject({ group_id: GROUP, group_create_time: 0, group_remark: '' });
  });

  it('get_group_system_msg answers [] where the QQ side has no requests', async () => {
    const { result } = await run('get_group_system_msg', {});
    expect(result).toEqual({ invited_requests: [], join_requests: [] });
  });

  it('both batch kicks read both names of the list, numbers or strings', async () => {
    const napcat = await run('set_group_kick_members', { ...g, user_ids: '20001,20002' });
    expect(napcat.qq.calls[0]?.args).toEqual({
      ...g,
      user_ids: [20001, 20002],
      reject_add_request: false,
    });
    const llonebot = await run('batch_delete_group_member', { ...g, user_id: ['20003'] });
    expect(llonebot.qq.calls[0]?.args).toMatchObject({ user_ids: [20003] });
  });

  it('get_group_msg_mask names the mask; send_group_ai_record publishes message_sent', async () => {
    const masks = await run('get_group_msg_mask', {});
    expect(masks.result).toEqual([
      { group_id: GROUP, group_name: 'cqfleet users', msg_mask: 1, msg_type: '接收并提醒' },
    ]);
    const sent = await run('send_group_ai_record', { ...g, character: 'c', text: 'hi' });
    expect(sent.result).toEqual({ message_id: messageId(GROUP, 42) });
    expect(sent.published).toMatchObject([
      { post_type: 'message_sent', group_id: GROUP, message: [{ type: 'record' }] },
    ]);
  });
});

describe('session handlers: NT-era messages', () => {
  it('fetch_emoji_like pages by cookie; get_emoji_likes gives everyone, or the first count', async () => {
    const first = await run('fetch_emoji_like', { ...stored, emojiId: '76', count: 1 });
    expect(first.result).toMatchObject({
      emojiLikesList: [{ tinyId: String(PERSON), nickName: 'alice' }],
      cookie: '1',
      isFirstPage: true,
      isLastPage: false,
    });
    const last = await run('fetch_emoji_like', { ...stored, emojiId: '76', cookie: '1' });
    expect(last.result).toMatchObject({
      emojiLikesList: [{ tinyId: String(SELF) }],
      cookie: '',
      isFirstPage: false,
      isLastPage: true,
    });
    const likes = await run('get_emoji_likes', { ...stored, emoji_id: '76', count: 1 });
    expect(likes.result).toEqual({
      emoji_like_list: [{ user_id: String(PERSON), nick_name: 'alice' }],
    });
    await expect(
      run('get_emoji_likes', { ...stored, emoji_id: '76', group_id: 999 }),
    ).rejects.toMatchObject({ msg: 'MESSAGE_NOT_FOUND' });
  });

  it('send_poke pokes target_id in a group, and only the friend in a private chat', async () => {
    const group = await run('send_poke', { ...g, user_id: PERSON, target_id: 20002 });
    expect(group.qq.calls).toEqual([{ op: 'poke', args: { ...g, user_id: 20002 } }]);
    const friend = await run('send_poke', { user_id: PERSON });
    expect(friend.qq.calls).toEqual([{ op: 'poke', args: { user_id: PERSON } }]);
    await expect(run('send_poke', { user_id: PERSON, target_id: 3 })).rejects.toMatchObject({
      msg: 'INVALID_PARAMS',
    });
  });

  it('forward_*_single_msg name the stored message and publish the copy as message_sent', async () => {
    const { result, qq, published } = await run('forward_group_single_msg', {
      ...stored,
      group_id: 100200,
    });
    expect(result).toBeNull();
    expect(qq.calls[1]).toEqual({
      op: 'forward_single',
      args: { group_id: GROUP, seq: 7, sender_id: PERSON, to_group_id: 100200 },
    });
    expect(published).toMatchObject([
      { post_type: 'message_sent', group_id: 100200, message_seq: 42 },
    ]);
  });

  it('get_recent_contact answers NapCat’s fields, the last message in the endpoint’s format', async () => {
    const { result } = await run('get_recent_contact', {});
    expect(result).toEqual([
      expect.objectContaining({
        peerUin: String(GROUP),
        chatType: 2,
        peerName: 'cqfleet users',
        msgId: String(messageId(GROUP, 7)),
        sendNickName: `n${PERSON}`,
        unreadCnt: 2,
        lastestMsg: expect.objectContaining({
          message_id: messageId(GROUP, 7),
          message: 'hi',
          message_format: 'string',
        }),
      }),
    ]);
  });

  it('a gift segment is given through the QQ side and answers message_id 0', async () => {
    const { result, qq } = await run('send_group_msg', {
      ...g,
      message: '[CQ:gift,qq=20001,id=8]',
    });
    expect(result).toEqual({ message_id: 0 });
    expect(qq.calls).toEqual([{ op: 'send_gift', args: { ...g, user_id: PERSON, gift_id: 8 } }]);
  });
});

describe('session handlers: the account’s NT-era extensions (issue 17)', () => {
  it('refuse a card or an avatar of nobody before asking the QQ side', async () => {
    for (const action of ['get_qq_avatar', 'ArkSharePeer', 'send_ark_share'] as const) {
      const qq = new FakeQQSide();
      await expect(run(action, {}, qq)).rejects.toMatchObject({ msg: 'INVALID_PARAMS' });
      expect(qq.ops).toEqual([]);
    }
  });

  it('pass NapCat’s names on as the QQ side names them, with NapCat’s defaults', async () => {
    const diy = await run('set_diy_online_status', { face_id: '21' });
    expect(diy.qq.calls).toEqual([
      { op: 'set_custom_status', args: { face_id: 21, face_type: 1, wording: ' ' } },
    ]);
    const status = await run('set_online_status', {
      status: 50,
      extStatus: 1028,
      batteryStatus: 7,
    });
    expect(status.qq.calls).toEqual([
      { op: 'set_online_status', args: { status: 50, ext_status: 1028, battery_status: 7 } },
    ]);
    const nick = await run('set_self_longnick', { long_nick: 'hi' });
    expect(nick.qq.calls).toEqual([{ op: 'set_long_nick', args: { long_nick: 'hi' } }]);
  });

  it('get_mini_app_ark answers the ark, or with rawArkData its raw form', async () => {
    const card = { type: 'bili', title: 't', desc: 'd', picUrl: 'p', jumpUrl: 'j' };
    const { result } = await run('get_mini_app_ark', card);
    expect(result).toMatchObject({ data: { app: 'com.tencent.miniapp_01', view: 'view_1' } });
    const raw = await run('get_mini_app_ark', { ...card, rawArkData: true });
    expect(raw.result).toMatchObject({
      data: { appName: 'com.tencent.miniapp_01', appView: 'view_1', metaData: {} },
    });
  });

  it('get_profile_like answers NapCat’s lists with LLOneBot’s users and nextStart beside them', async () => {
    const { result } = await run('get_profile_like', {});
    expect(result).toMatchObject({
      uid: 'u_me',
      favoriteInfo: { total_count: 3, userInfos: [{ uin: PERSON, nick: 'alice', isSvip: true }] },
      voteInfo: { new_count: 1, userInfos: [{ uin: PERSON, gender: 2 }] },
      users: [{ uin: PERSON }],
      nextStart: -1,
    });
  });
});
