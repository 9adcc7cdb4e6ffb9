/**
 * Conformance: group information and administration through the gateway, with go-cqhttp's
 * shapes and failure tags, and the notices and requests they raise. (String message format.)
 */
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
    await expectFailure(alpha, 'get_group_info', { group_id: 100200 }, 'GROUP_NOT_FOUND');
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
    expect(await expectOk(beta, 'get_group_info', { group_id: 100100 })).toMatchObject({
      group_name: 'renamed',
    });
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
    await expectOk(alpha, 'set_group_add_request', { flag, sub_type: 'invite', approve: true });
    await expectEvent(
      wsB,
      'notice.group_increase.approve',
      e => e.user_id === 10001 && e.group_id === 100200,
    );
    expect(await expectOk(alpha, 'get_group_info', { group_id: 100200 })).toMatchObject({
      group_id: 100200,
    });
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
    await expectFailure(beta, 'get_group_info', { group_id: 100200 }, 'GROUP_NOT_FOUND');
  });

  it('the owner dismisses: the other account hears kick_me', async () => {
    await expectFailure(alpha, 'set_group_leave', { group_id: 100100 }, 'PERMISSION_DENIED');
    await expectOk(alpha, 'set_group_leave', { group_id: 100100, is_dismiss: true });
    await expectEvent(
      wsB,
      'notice.group_decrease.kick_me',
      e => e.group_id === 100100 && e.operator_id === 10001,
    );
  });
});
