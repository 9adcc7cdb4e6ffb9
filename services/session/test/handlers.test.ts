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
      fileRoots: [roots],
      mediaTimeoutMs: 1_000,
      upstreamMaxInlineBytes: 1 << 20,
    },
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
  get_login_info: { ops: [] },
  get_stranger_info: { params: u, ops: ['get_user'] },
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
  upload_group_file: {
    params: { ...g, file: join(roots, 'report.txt'), name: 'report.txt' },
    ops: ['upload_group_file'],
  },
  upload_private_file: {
    params: { ...u, file: join(roots, 'report.txt'), name: 'report.txt' },
    ops: ['upload_private_file'],
  },
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
