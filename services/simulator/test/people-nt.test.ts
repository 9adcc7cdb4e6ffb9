/**
 * The account's NT-era rules (issue 17), in process on the demo world: what each operation
 * changes is what later reads return, and the events QQ raises are raised (profile_like,
 * input_status, friend_add of an approved doubtful request). Simulated values are the same for
 * the same inputs within a time window.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { OpCaller, WorldState } from '@cqfleet/simulator';
import { type DemoWorld, demoWorld, fails } from './demo-world.js';

let w: WorldState;
let ops: OpCaller;
let of: DemoWorld['of'];

beforeEach(() => {
  ({ w, ops, of } = demoWorld());
});
afterEach(() => vi.useRealTimers());

describe('profile', () => {
  it('avatar: an image name, then the avatar URL is the network’s; groups show their portrait', () => {
    fails(() => ops.set_avatar({ image: 'http://x/a.png' }, 10001), 'API_ERROR');
    expect(ops.get_avatar({}, 10001).url).toContain('qlogo.cn');
    ops.set_avatar({ image: `${'a'.repeat(32)}.image` }, 10001);
    expect(ops.get_avatar({ user_id: 10001 }, 10002).url).toMatch(/\/media\/image\/a{32}\.image$/);
    expect(ops.get_avatar({ group_id: 100100 }, 10001).url).toContain('p.qlogo.cn/gh/100100');
    ops.set_portrait({ group_id: 100100, image: `${'b'.repeat(32)}.image` }, 10001);
    expect(ops.get_avatar({ group_id: 100100 }, 10002).url).toMatch(/b{32}\.image$/);
  });

  it('long nick is the signature every profile read shows', () => {
    ops.set_long_nick({ long_nick: 'sailing' }, 10002);
    expect(ops.get_user({ user_id: 10002 }, 10001).sign).toBe('sailing');
  });

  it('online status: QQ’s codes only; invisible looks offline to others; a custom status', () => {
    fails(
      () => ops.set_online_status({ status: 11, ext_status: 0, battery_status: 50 }, 10002),
      'API_ERROR',
    );
    ops.set_online_status({ status: 40, ext_status: 0, battery_status: 50 }, 10002);
    expect(ops.get_user_status({ user_id: 10002 }, 10002).status).toBe(40);
    expect(ops.get_user_status({ user_id: 10002 }, 10001).status).toBe(0);
    const [mine] = ops.get_friend_categories({}, 10001);
    expect(mine!.online_count).toBe(mine!.friends.length - 1);
    ops.set_custom_status({ face_id: 21, face_type: 1, wording: 'sailing' }, 10002);
    expect(ops.get_user_status({ user_id: 10002 }, 10001)).toEqual({
      status: 10,
      ext_status: 2000,
      battery_status: 50,
      custom: { face_id: 21, face_type: 1, wording: 'sailing' },
    });
  });

  it('input status reaches a friend account, and only a friend', () => {
    ops.set_input_status({ user_id: 10002, event_type: 1 }, 10001);
    expect(of(10002, 'input_status')).toEqual([
      expect.objectContaining({ user_id: 10001, event_type: 1, status_text: '对方正在输入...' }),
    ]);
    fails(() => ops.set_input_status({ user_id: 20006, event_type: 1 }, 10001), 'FRIEND_NOT_FOUND');
  });
});

describe('friends', () => {
  it('remarks and categories show in the lists; a deleted friend loses the category', () => {
    ops.set_friend_remark({ user_id: 20001, remark: 'Al' }, 10001);
    expect(ops.get_friends({}, 10001).find(f => f.user_id === 20001)?.remark).toBe('Al');
    fails(() => ops.set_friend_category({ user_id: 20001, category_id: 9 }, 10001), 'API_ERROR');
    fails(
      () => ops.set_friend_category({ user_id: 20006, category_id: 1 }, 10001),
      'FRIEND_NOT_FOUND',
    );
    ops.set_friend_category({ user_id: 20001, category_id: 2 }, 10001);
    const family = ops.get_friend_categories({}, 10001).find(c => c.category_id === 2)!;
    expect(family.friends).toEqual([
      expect.objectContaining({ user_id: 20001, remark: 'Al', category_id: 2 }),
    ]);
    ops.delete_friend({ user_id: 20001 }, 10001);
    expect(ops.get_friend_categories({}, 10001).flatMap(c => c.friends)).not.toContainEqual(
      expect.objectContaining({ user_id: 20001 }),
    );
  });

  it('a request with a link is filed as doubtful: no event; approving makes friends once', async () => {
    const { requestFriend } = await import('../src/world/social.js');
    const flag = requestFriend(w, 20006, 10002, 'see www.example.com');
    expect(of(10002, 'friend_request')).toEqual([]);
    expect(ops.get_doubt_requests({ count: 10 }, 10002)).toEqual([
      expect.objectContaining({
        flag,
        user_id: 20006,
        group_id: 100200,
        comment: 'see www.example.com',
      }),
    ]);
    ops.handle_doubt_request({ flag, approve: true }, 10002);
    expect(of(10002, 'friend_add')).toEqual([expect.objectContaining({ user_id: 20006 })]);
    expect(ops.get_friends({}, 10002).map(f => f.user_id)).toContain(20006);
    expect(ops.get_doubt_requests({ count: 10 }, 10002)).toEqual([]);
    fails(() => ops.handle_doubt_request({ flag, approve: true }, 10002), 'FLAG_HAS_BEEN_CHECKED');
    fails(() => ops.handle_doubt_request({ flag: 'nope', approve: true }, 10002), 'FLAG_NOT_FOUND');
    // Dismissed: handled, no friends.
    const other = requestFriend(w, 20003, 10002, 'http://spam.example');
    ops.handle_doubt_request({ flag: other, approve: false }, 10002);
    expect(ops.get_friends({}, 10002).map(f => f.user_id)).not.toContain(20003);
    expect(ops.get_doubt_requests({ count: 10 }, 10002)).toEqual([]);
  });
});

describe('profile likes', () => {
  it('send_like is recorded on both sides and raises profile_like at a liked account', () => {
    ops.send_like({ user_id: 10002, times: 3 }, 10001);
    ops.send_like({ user_id: 10002, times: 2 }, 20001);
    expect(of(10002, 'profile_like')).toEqual([
      expect.objectContaining({ operator_id: 10001, operator_nick: 'Fleet Alpha', times: 3 }),
      expect.objectContaining({ operator_id: 20001, operator_nick: 'Alice', times: 2 }),
    ]);
    const mine = ops.get_profile_likes({ start: 0, count: 10 }, 10002);
    expect(mine.received).toMatchObject({ total_count: 5, today_count: 5, new_count: 2 });
    expect(mine.received.users.map(u => u.user_id).sort()).toEqual([10001, 20001]);
    // Looked at: nothing is new any more.
    expect(ops.get_profile_likes({ start: 0, count: 10 }, 10002).received.new_count).toBe(0);
    const given = ops.get_profile_likes({ start: 0, count: 10 }, 10001).given;
    expect(given.users).toEqual([
      expect.objectContaining({ user_id: 10002, count: 3, is_friend: true, available_today: 7 }),
    ]);
    const page = ops.get_profile_likes({ start: 0, count: 1 }, 10002);
    expect(page.received.users).toHaveLength(1);
    expect(page.next_start).toBe(1);
    expect(ops.get_profile_likes({ start: -1, count: 1 }, 10002).next_start).toBe(-1);
  });
});

describe('simulated values', () => {
  it('translation is word by word from a dictionary; unknown words stay', () => {
    expect(ops.translate({ words: ['hello world', 'cat', 'zyzzyva'] }, 10001)).toEqual([
      '你好世界',
      '猫',
      'zyzzyva',
    ]);
  });

  it('rkeys and client keys depend on the account and the hour, nothing else', () => {
    vi.useFakeTimers({ now: new Date('2025-01-01T10:10:00Z') });
    const a = ops.get_rkeys({}, 10001);
    expect(a.map(k => k.type)).toEqual(['private', 'group']);
    expect(ops.get_rkeys({}, 10001)).toEqual(a);
    expect(ops.get_rkeys({}, 10002)[0]!.rkey).not.toBe(a[0]!.rkey);
    const key = ops.get_client_key({}, 10001);
    vi.setSystemTime(new Date('2025-01-01T10:50:00Z'));
    expect(ops.get_client_key({}, 10001)).toEqual(key);
    vi.setSystemTime(new Date('2025-01-01T11:00:00Z'));
    expect(ops.get_client_key({}, 10001).clientkey).not.toBe(key.clientkey);
    expect(ops.get_rkeys({}, 10001)[0]!.created_at).toBe(a[0]!.created_at + 3600);
  });

  it('arks: contact cards of users and of one’s groups; mini-app cards by type or app id', () => {
    const card = JSON.parse(ops.get_contact_ark({ user_id: 20001, phone_number: '' }, 10001).ark);
    expect(card).toMatchObject({
      app: 'com.tencent.contact.lua',
      meta: { contact: { nickname: 'Alice' } },
    });
    fails(
      () => ops.get_contact_ark({ group_id: 100200, phone_number: '' }, 10001),
      'GROUP_NOT_FOUND',
    );
    const base = { title: 't', desc: 'd', pic_url: 'p', jump_url: 'j', web_url: '', icon_url: '' };
    const rest = { app_id: '', version_id: '', sdk_id: '' };
    expect(ops.get_mini_app_ark({ ...base, ...rest, type: 'bili' }, 10001)).toMatchObject({
      app: 'com.tencent.miniapp_01',
      meta: { detail_1: { appid: '1109937557', host: { uin: 10001 } } },
    });
    fails(() => ops.get_mini_app_ark({ ...base, ...rest, type: 'nope' }, 10001), 'INVALID_PARAMS');
    fails(() => ops.get_mini_app_ark({ ...base, ...rest, type: '' }, 10001), 'INVALID_PARAMS');
    expect(ops.get_recommend_faces({ word: 'cat' }, 10001)).toEqual(
      ops.get_recommend_faces({ word: 'Cat' }, 10002),
    );
  });
});
