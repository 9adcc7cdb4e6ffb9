/**
 * Conformance: group information and administration through the gateway, with go-cqhttp's
 * shapes and failure tags, and the notices and requests they raise; the NT-era group actions
 * with NapCat's (or LLOneBot's) shapes. (String message format.)
 */
import { createHash } from 'node:crypto';
import type { SimControl } from '@cqfleet/sim-client';
import {
  expectEvent,
  expectFailure,
  expectOk,
  type OneBotHttp,
  type OneBotWs,
  startDemoWorld,
} from '@cqfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let alpha: OneBotHttp;
let beta: OneBotHttp;
let wsA: OneBotWs;
let wsB: OneBotWs;
let sim: SimControl;
let close: () => Promise<void>;
const PNG =
  'base64://iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';

beforeAll(async () => {
  ({ alpha, beta, wsA, wsB, sim, close } = await startDemoWorld());
});

afterAll(() => close?.());

describe('group information', () => {
  it('get_group_info / get_group_list', async () => {
    const info = await expectOk(alpha, 'get_group_info', { group_id: 100100 });
    expect(info).toMatchObject({
      group_id: 100100,
      group_name: 'cqfleet demo',
      member_count: 7,
      max_member_count: 500,
    });
    const list = await expectOk<Array<{ group_id: number }>>(beta, 'get_group_list');
    expect(list.map(g => g.group_id).sort()).toEqual([100100, 100200]);
    await expectFailure(alpha, 'get_group_info', { group_id: 999999 }, 'GROUP_NOT_FOUND');
  });

  it('get_group_info of a group the account is not in: its public part', async () => {
    expect(await expectOk(alpha, 'get_group_info', { group_id: 100200 })).toEqual({
      group_id: 100200,
      group_name: 'cqfleet ops',
      group_memo: '',
      group_create_time: 0,
      group_level: 0,
      member_count: 4,
      max_member_count: 500,
      group_remark: '',
      group_all_shut: 0,
    });
    await expectFailure(alpha, 'get_group_member_list', { group_id: 100200 }, 'GROUP_NOT_FOUND');
  });

  it('get_group_member_info / list: level is a string, unknown members fail', async () => {
    const m = await expectOk(alpha, 'get_group_member_info', { group_id: 100100, user_id: 20001 });
    expect(m).toMatchObject({
      user_id: 20001,
      role: 'admin',
      card: 'Alice (admin)',
      level: '45',
      unfriendly: false,
      card_changeable: false,
    });
    const all = await expectOk<unknown[]>(alpha, 'get_group_member_list', { group_id: 100100 });
    expect(all).toHaveLength(7);
    await expectFailure(
      alpha,
      'get_group_member_info',
      { group_id: 100100, user_id: 424242 },
      'MEMBER_NOT_FOUND',
    );
  });

  it('honours: get_group_honor_info by type, and the honor notice', async () => {
    await sim.earnHonor(100100, 20002, 'talkative');
    await expectEvent(
      wsA,
      'notice.notify.honor',
      e => e.user_id === 20002 && e.honor_type === 'talkative',
    );
    await sim.earnHonor(100100, 20003, 'legend');
    const all = await expectOk<Record<string, unknown>>(alpha, 'get_group_honor_info', {
      group_id: 100100,
      type: 'all',
    });
    expect(all).toMatchObject({
      group_id: 100100,
      current_talkative: { user_id: 20002, day_count: 1 },
      legend_list: [expect.objectContaining({ user_id: 20003, description: '群聊炽焰' })],
    });
    const one = await expectOk<Record<string, unknown>>(alpha, 'get_group_honor_info', {
      group_id: 100100,
      type: 'performer',
    });
    expect(Object.keys(one).sort()).toEqual(['group_id', 'performer_list']);
  });

  it('get_group_at_all_remain', async () => {
    expect(await expectOk(alpha, 'get_group_at_all_remain', { group_id: 100100 })).toEqual({
      can_at_all: true,
      remain_at_all_count_for_group: 10,
      remain_at_all_count_for_uin: 3,
    });
    expect(await expectOk(beta, 'get_group_at_all_remain', { group_id: 100100 })).toMatchObject({
      can_at_all: false,
      remain_at_all_count_for_uin: 0,
    });
  });
});

describe('administration', () => {
  it('set_group_card: group_card notice; members cannot set others’ cards', async () => {
    await expectOk(alpha, 'set_group_card', { group_id: 100100, user_id: 20004, card: 'Dave!' });
    await expectEvent(
      wsB,
      'notice.group_card',
      e => e.user_id === 20004 && e.card_new === 'Dave!' && e.card_old === 'dave',
    );
    await expectFailure(
      beta,
      'set_group_card',
      { group_id: 100100, user_id: 20004, card: 'x' },
      'NOT_MANAGEABLE',
    );
  });

  it('set_group_ban / whole ban / shut list: group_ban notices', async () => {
    await expectOk(alpha, 'set_group_ban', { group_id: 100100, user_id: 20005, duration: 600 });
    await expectEvent(
      wsB,
      'notice.group_ban.ban',
      e => e.user_id === 20005 && e.duration === 600 && e.operator_id === 10001,
    );
    const shut = await expectOk<Array<{ user_id: number }>>(alpha, 'get_group_shut_list', {
      group_id: 100100,
    });
    expect(shut.map(m => m.user_id)).toEqual([20005]);
    await expectOk(alpha, 'set_group_ban', { group_id: 100100, user_id: 20005, duration: 0 });
    await expectEvent(wsB, 'notice.group_ban.lift_ban', e => e.user_id === 20005);
    await expectFailure(
      beta,
      'set_group_ban',
      { group_id: 100100, user_id: 20005 },
      'NOT_MANAGEABLE',
    );
    await expectFailure(
      alpha,
      'set_group_ban',
      { group_id: 100100, user_id: 20005, duration: 2592000 },
      'DURATION_IS_NOT_IN_RANGE',
    );
    await expectOk(alpha, 'set_group_whole_ban', { group_id: 100100 });
    await expectEvent(wsB, 'notice.group_ban.ban', e => e.user_id === 0);
    await expectFailure(
      beta,
      'send_group_msg',
      { group_id: 100100, message: 'muted?' },
      'SEND_MSG_API_ERROR',
    );
    await expectOk(alpha, 'set_group_whole_ban', { group_id: 100100, enable: false });
    await expectEvent(wsB, 'notice.group_ban.lift_ban', e => e.user_id === 0);
  });

  it('anonymous: set_group_anonymous, set_group_anonymous_ban by flag or object', async () => {
    await expectOk(alpha, 'set_group_anonymous', { group_id: 100100, enable: true });
    const anon = await sim.sendGroupMsg(20003, 100100, [
      { type: 'anonymous', data: {} },
      { type: 'text', data: { text: 'psst' } },
    ]);
    const ev = await expectEvent(
      wsA,
      'message.group.anonymous',
      e => e.message_id === anon.message_id,
    );
    const flag = (ev.anonymous as { flag: string }).flag;
    await expectOk(alpha, 'set_group_anonymous_ban', { group_id: 100100, flag, duration: 60 });
    await expectOk(alpha, 'set_group_anonymous_ban', {
      group_id: 100100,
      anonymous: ev.anonymous,
      duration: 60,
    });
    await expectFailure(alpha, 'set_group_anonymous_ban', { group_id: 100100 }, 'INVALID_FLAG');
    await expectOk(alpha, 'set_group_anonymous', { group_id: 100100, enable: false });
  });

  it('set_group_admin: only the owner; group_admin set/unset', async () => {
    await expectOk(alpha, 'set_group_admin', { group_id: 100100, user_id: 10002 });
    await expectEvent(wsB, 'notice.group_admin.set', e => e.user_id === 10002);
    await expectFailure(
      beta,
      'set_group_admin',
      { group_id: 100100, user_id: 20003 },
      'PERMISSION_DENIED',
    );
    await expectOk(alpha, 'set_group_admin', { group_id: 100100, user_id: 10002, enable: false });
    await expectEvent(wsB, 'notice.group_admin.unset', e => e.user_id === 10002);
  });

  it('set_group_special_title: title notice', async () => {
    await expectOk(alpha, 'set_group_special_title', {
      group_id: 100100,
      user_id: 20002,
      special_title: 'elder',
    });
    await expectEvent(wsB, 'notice.notify.title', e => e.user_id === 20002 && e.title === 'elder');
  });

  it('set_group_name, set_group_portrait, send_group_sign', async () => {
    await expectOk(alpha, 'set_group_name', { group_id: 100100, group_name: 'renamed' });
    // NapCat's notify/group_name, for every account in the group (the renaming one too).
    for (const ws of [wsA, wsB])
      await expectEvent(
        ws,
        'notice.notify.group_name',
        e => e.group_id === 100100 && e.user_id === 10001 && e.name_new === 'renamed',
      );
    expect(await expectOk(beta, 'get_group_info', { group_id: 100100 })).toMatchObject({
      group_name: 'renamed',
    });
    // A person renaming it (an admin, through the control API) is heard the same way.
    await sim.act(20001, 'set_group_name', { group_id: 100100, name: 'named by alice' });
    for (const ws of [wsA, wsB])
      await expectEvent(
        ws,
        'notice.notify.group_name',
        e => e.user_id === 20001 && e.name_new === 'named by alice',
      );
    await expectOk(alpha, 'set_group_portrait', {
      group_id: 100100,
      file: PNG,
    });
    await expectFailure(
      alpha,
      'set_group_portrait',
      { group_id: 100100, file: 'file:///etc/passwd' },
      'LOAD_FILE_ERROR',
    );
    expect(await expectOk(beta, 'send_group_sign', { group_id: 100100 })).toBeNull();
  });

  it('notices: only managers publish and delete', async () => {
    const { notice_id } = await expectOk<{ notice_id: string }>(alpha, '_send_group_notice', {
      group_id: 100100,
      content: 'read me',
    });
    const list = await expectOk<Array<{ notice_id: string; message: { text: string } }>>(
      beta,
      '_get_group_notice',
      { group_id: 100100 },
    );
    expect(list[0]).toMatchObject({
      notice_id,
      sender_id: 10001,
      message: { text: 'read me', images: [] },
    });
    await expectFailure(
      beta,
      '_send_group_notice',
      { group_id: 100100, content: 'x' },
      'PERMISSION_DENIED',
    );
    await expectFailure(
      beta,
      '_del_group_notice',
      { group_id: 100100, notice_id },
      'PERMISSION_DENIED',
    );
    await expectOk(alpha, '_del_group_notice', { group_id: 100100, notice_id });
  });

  it('group_poke', async () => {
    await expectOk(alpha, 'group_poke', { group_id: 100100, user_id: 20001 });
    await expectEvent(
      wsB,
      'notice.notify.poke',
      e => e.group_id === 100100 && e.target_id === 20001,
    );
  });
});

describe('NT-era group actions', () => {
  type Mask = { group_id: number; msg_mask: number; msg_type: string };
  const bytesOf = async (url: string) => Buffer.from(await (await fetch(url)).arrayBuffer());

  it('get_group_system_msg: no requests is [] (NT clients iterate the lists)', async () => {
    expect(await expectOk(beta, 'get_group_system_msg')).toEqual({
      invited_requests: [],
      join_requests: [],
    });
  });

  it('set_group_sign: check-in, as send_group_sign', async () => {
    expect(await expectOk(beta, 'set_group_sign', { group_id: 100100 })).toBeNull();
    await expectFailure(beta, 'set_group_sign', { group_id: 999999 }, 'GROUP_NOT_FOUND');
  });

  it('set_group_remark: the account’s own, in its later reads only', async () => {
    await expectOk(alpha, 'set_group_remark', { group_id: 100100, remark: 'home' });
    expect(await expectOk(alpha, 'get_group_info', { group_id: 100100 })).toMatchObject({
      group_remark: 'home',
      group_all_shut: 0,
    });
    const list = await expectOk<Array<{ group_id: number; group_remark: string }>>(
      alpha,
      'get_group_list',
    );
    expect(list.find(g => g.group_id === 100100)?.group_remark).toBe('home');
    expect(await expectOk(beta, 'get_group_info', { group_id: 100100 })).toMatchObject({
      group_remark: '',
    });
    await expectOk(alpha, 'set_group_remark', { group_id: 100100, remark: '' });
    expect(await expectOk(alpha, 'get_group_info', { group_id: 100100 })).toMatchObject({
      group_remark: '',
    });
    await expectFailure(
      alpha,
      'set_group_remark',
      { group_id: 100200, remark: 'not mine' },
      'GROUP_NOT_FOUND',
    );
  });

  it('get_group_msg_mask / set_group_msg_mask: per account, 1 to 4', async () => {
    expect(await expectOk<Mask[]>(alpha, 'get_group_msg_mask')).toEqual([
      expect.objectContaining({ group_id: 100100, msg_mask: 1, msg_type: '接收并提醒' }),
    ]);
    await expectOk(alpha, 'set_group_msg_mask', { group_id: 100100, mask: 3 });
    expect(await expectOk<Mask[]>(alpha, 'get_group_msg_mask', { group_id: 100100 })).toEqual([
      expect.objectContaining({ group_id: 100100, msg_mask: 3, msg_type: '屏蔽群消息' }),
    ]);
    const betas = await expectOk<Mask[]>(beta, 'get_group_msg_mask');
    expect(betas.map(m => [m.group_id, m.msg_mask]).sort()).toEqual([
      [100100, 1],
      [100200, 1],
    ]);
    await expectFailure(
      alpha,
      'set_group_msg_mask',
      { group_id: 100100, mask: 9 },
      'INVALID_PARAMS',
    );
    await expectOk(alpha, 'set_group_msg_mask', { group_id: 100100, mask: 1 });
  });

  it('set_group_kick_members / batch_delete_group_member: kick rules, all or none', async () => {
    await expectFailure(
      beta,
      'batch_delete_group_member',
      { group_id: 100100, user_ids: [20005] },
      'NOT_MANAGEABLE',
    );
    // The owner cannot kick itself: nobody is kicked.
    await expectFailure(
      alpha,
      'set_group_kick_members',
      { group_id: 100100, user_id: [20005, 10001] },
      'NOT_MANAGEABLE',
    );
    expect(
      await expectOk(alpha, 'get_group_member_info', { group_id: 100100, user_id: 20005 }),
    ).toMatchObject({ user_id: 20005 });
    await expectFailure(
      alpha,
      'set_group_kick_members',
      { group_id: 100100, user_id: [] },
      'INVALID_PARAMS',
    );
    // NapCat sends the numbers as strings.
    await expectOk(alpha, 'set_group_kick_members', {
      group_id: 100100,
      user_id: ['20005', '20002'],
      reject_add_request: true,
    });
    for (const uin of [20005, 20002])
      await expectEvent(
        wsB,
        'notice.group_decrease.kick',
        e => e.group_id === 100100 && e.user_id === uin && e.operator_id === 10001,
      );
    const members = await expectOk<Array<{ user_id: number }>>(alpha, 'get_group_member_list', {
      group_id: 100100,
    });
    expect(members.map(m => m.user_id)).not.toEqual(expect.arrayContaining([20005]));
    expect(members.map(m => m.user_id)).not.toEqual(expect.arrayContaining([20002]));
    // LLOneBot's name: an admin over a plain member.
    await expectOk(beta, 'batch_delete_group_member', { group_id: 100200, user_ids: [20001] });
    await expectEvent(
      wsB,
      'notice.group_decrease.kick',
      e => e.group_id === 100200 && e.user_id === 20001 && e.operator_id === 10002,
    );
  });

  it('AI voices: get_ai_characters, get_ai_record (deterministic), send_group_ai_record', async () => {
    type Category = {
      type: string;
      characters: Array<{ character_id: string; character_name: string; preview_url: string }>;
    };
    const speaking = await expectOk<Category[]>(alpha, 'get_ai_characters', { group_id: 100100 });
    const ids = speaking.flatMap(c => c.characters.map(ch => ch.character_id));
    expect(ids).toEqual(expect.arrayContaining(['sim-voice-girl', 'sim-voice-robot']));
    const preview = await bytesOf(speaking[0]!.characters[0]!.preview_url);
    expect(preview.subarray(0, 4).toString()).toBe('RIFF');
    const singing = await expectOk<Category[]>(alpha, 'get_ai_characters', {
      group_id: 100100,
      chat_type: 2,
    });
    expect(singing.map(c => c.type)).toEqual(['唱歌']);
    await expectFailure(alpha, 'get_ai_characters', { group_id: 100200 }, 'GROUP_NOT_FOUND');

    const ask = { group_id: 100100, character: 'sim-voice-girl', text: '你好 cqfleet' };
    const url = await expectOk<string>(alpha, 'get_ai_record', ask);
    const voice = await bytesOf(url);
    expect(voice.subarray(0, 4).toString()).toBe('RIFF');
    expect(await bytesOf(url)).toEqual(voice);
    // The same character saying the same text sounds the same to anyone; another does not.
    expect(await bytesOf(await expectOk<string>(beta, 'get_ai_record', ask))).toEqual(voice);
    const robot = await expectOk<string>(alpha, 'get_ai_record', {
      ...ask,
      character: 'sim-voice-robot',
    });
    expect(await bytesOf(robot)).not.toEqual(voice);
    await expectFailure(alpha, 'get_ai_record', { ...ask, character: 'nobody' }, 'INVALID_PARAMS');

    // Sent, it is that voice as a record the other account receives.
    const { message_id } = await expectOk<{ message_id: number }>(
      alpha,
      'send_group_ai_record',
      ask,
    );
    const heard = await expectEvent(wsB, 'message.group.normal', e => e.message_id === message_id);
    expect(heard).toMatchObject({ user_id: 10001, group_id: 100100 });
    const md5 = createHash('md5').update(voice).digest('hex');
    expect(String(heard.raw_message)).toContain(`[CQ:record,file=${md5}.amr`);
  });
});

describe('members come and go', () => {
  it('join requests: request/group/add, get_group_system_msg, approve → group_increase, flag once', async () => {
    const [flag] = await sim.requestJoin(20006, 100100, 'hi, let me in');
    const req = await expectEvent(wsA, 'request.group.add', e => e.flag === flag);
    expect(req).toMatchObject({ group_id: 100100, user_id: 20006, comment: 'hi, let me in' });
    const sys = await expectOk<{
      join_requests: Array<{ requester_uin: number; checked: boolean }> | null;
      invited_requests: unknown;
    }>(alpha, 'get_group_system_msg');
    expect(sys.join_requests).toEqual([
      expect.objectContaining({ requester_uin: 20006, checked: false }),
    ]);
    await expectOk(alpha, 'set_group_add_request', { flag, sub_type: 'add' });
    await expectEvent(wsB, 'notice.group_increase.approve', e => e.user_id === 20006);
    await expectFailure(
      alpha,
      'set_group_add_request',
      { flag, type: 'add' },
      'FLAG_HAS_BEEN_CHECKED',
    );
    await expectFailure(alpha, 'set_group_add_request', { flag: 'unknown' }, 'FLAG_NOT_FOUND');
  });

  it('invitations: request/group/invite, approving joins the account', async () => {
    const flag = await sim.invite(20006, 100200, 10001);
    await expectEvent(
      wsA,
      'request.group.invite',
      e => e.flag === flag && e.user_id === 20006 && e.group_id === 100200,
    );
    // Invite handlers look the group up first: the public part of a group not yet joined.
    expect(await expectOk(alpha, 'get_group_info', { group_id: 100200 })).toMatchObject({
      group_id: 100200,
      group_name: 'cqfleet ops',
      member_count: 3,
      group_create_time: 0,
    });
    await expectOk(alpha, 'set_group_add_request', { flag, sub_type: 'invite', approve: true });
    await expectEvent(
      wsB,
      'notice.group_increase.approve',
      e => e.user_id === 10001 && e.group_id === 100200,
    );
    const joined = await expectOk<{ group_create_time: number }>(alpha, 'get_group_info', {
      group_id: 100200,
    });
    expect(joined).toMatchObject({ group_id: 100200, member_count: 4 });
    expect(joined.group_create_time).toBeGreaterThan(0);
  });

  it('kick → kick (others) and kick_me (the kicked account); leave', async () => {
    await expectOk(beta, 'set_group_kick', { group_id: 100200, user_id: 10001 });
    await expectEvent(
      wsA,
      'notice.group_decrease.kick_me',
      e => e.group_id === 100200 && e.operator_id === 10002,
    );
    await expectFailure(
      beta,
      'set_group_kick',
      { group_id: 100100, user_id: 20003 },
      'NOT_MANAGEABLE',
    );
    await expectOk(alpha, 'set_group_kick', {
      group_id: 100100,
      user_id: 20006,
      reject_add_request: true,
    });
    await expectEvent(
      wsB,
      'notice.group_decrease.kick',
      e => e.user_id === 20006 && e.operator_id === 10001,
    );
    await sim.act(20004, 'leave_group', { group_id: 100100, dismiss: false });
    await expectEvent(
      wsA,
      'notice.group_decrease.leave',
      e => e.user_id === 20004 && e.operator_id === 20004,
    );
    await expectOk(beta, 'set_group_leave', { group_id: 100200 });
    await expectFailure(beta, 'get_group_member_list', { group_id: 100200 }, 'GROUP_NOT_FOUND');
    expect(await expectOk(beta, 'get_group_info', { group_id: 100200 })).toMatchObject({
      group_create_time: 0,
    });
  });

  it('the owner dismisses: the other account hears kick_me', async () => {
    await expectFailure(alpha, 'set_group_leave', { group_id: 100100 }, 'PERMISSION_DENIED');
    await expectOk(alpha, 'set_group_leave', { group_id: 100100, is_dismiss: true });
    await expectEvent(
      wsB,
      'notice.group_decrease.kick_me',
      e => e.group_id === 100100 && e.operator_id === 10001,
    );
    await expectFailure(beta, 'get_group_info', { group_id: 100100 }, 'GROUP_NOT_FOUND');
  });
});
