/**
 * The rules the simulator enforces, so bots meet real failures (issue 3, point 5). Everything
 * runs in process on the demo world: 10001 owns 100100, Alice (20001) is an admin there, Bob
 * (20002) and others are members; 10002 is a member of 100100 and an admin of 100200.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { OpCaller, WorldState } from '@cqfleet/simulator';
import { type DemoWorld, demoWorld, text, fails } from './demo-world.js';

let w: WorldState;
let ops: OpCaller;
let of: DemoWorld['of'];

beforeEach(() => {
  ({ w, ops, of } = demoWorld());
});
afterEach(() => vi.useRealTimers());

describe('rules - managing members', () => {
  it('only the owner and admins kick; admins only plain members', () => {
    fails(
      () => ops.kick({ group_id: 100100, user_id: 20003, reject_add_request: false }, 20002),
      'NOT_MANAGEABLE',
    );
    fails(
      () => ops.kick({ group_id: 100100, user_id: 10001, reject_add_request: false }, 20001),
      'NOT_MANAGEABLE',
    );
    fails(
      () => ops.kick({ group_id: 100100, user_id: 424242, reject_add_request: false }, 10001),
      'MEMBER_NOT_FOUND',
    );
    ops.kick({ group_id: 100100, user_id: 20003, reject_add_request: true }, 20001);
    expect(of(10001, 'group_decrease')).toEqual([
      expect.objectContaining({ user_id: 20003, operator_id: 20001, sub_type: 'kick' }),
    ]);
    // Kicked with reject_add_request: their join requests are refused.
    fails(
      () => ops.kick({ group_id: 100100, user_id: 20003, reject_add_request: false }, 10001),
      'MEMBER_NOT_FOUND',
    );
  });

  it('a kicked account hears kick_me; everyone else hears kick', () => {
    ops.kick({ group_id: 100100, user_id: 10002, reject_add_request: false }, 10001);
    expect(of(10002, 'group_decrease')).toEqual([
      expect.objectContaining({ sub_type: 'kick_me', operator_id: 10001 }),
    ]);
    expect(of(10001, 'group_decrease')).toEqual([
      expect.objectContaining({ sub_type: 'kick', user_id: 10002 }),
    ]);
  });

  it('mutes: managers only, 30 days at most, 0 lifts; muted members cannot speak', () => {
    fails(
      () => ops.ban({ group_id: 100100, user_id: 20003, duration: 60 }, 20002),
      'NOT_MANAGEABLE',
    );
    fails(
      () => ops.ban({ group_id: 100100, user_id: 20003, duration: 30 * 86400 }, 10001),
      'DURATION_IS_NOT_IN_RANGE',
    );
    ops.ban({ group_id: 100100, user_id: 20003, duration: 600 }, 20001);
    fails(
      () => ops.send_group_msg({ group_id: 100100, elements: text('hi') }, 20003),
      'SEND_MSG_API_ERROR',
    );
    expect(ops.get_shut_list({ group_id: 100100 }, 10001).map(m => m.user_id)).toEqual([20003]);
    ops.ban({ group_id: 100100, user_id: 20003, duration: 0 }, 20001);
    expect(
      ops.send_group_msg({ group_id: 100100, elements: text('free') }, 20003).seq,
    ).toBeGreaterThan(0);
    expect(of(10002, 'group_ban').map(e => (e as { sub_type: string }).sub_type)).toEqual([
      'ban',
      'lift_ban',
    ]);
  });

  it('whole-group mute silences members but not managers', () => {
    fails(() => ops.whole_ban({ group_id: 100100, enable: true }, 20002), 'NOT_MANAGEABLE');
    ops.whole_ban({ group_id: 100100, enable: true }, 10001);
    fails(
      () => ops.send_group_msg({ group_id: 100100, elements: text('x') }, 20002),
      'SEND_MSG_API_ERROR',
    );
    expect(
      ops.send_group_msg({ group_id: 100100, elements: text('admin speaks') }, 20001).seq,
    ).toBeGreaterThan(0);
    expect(of(10002, 'group_ban')[0]).toMatchObject({ user_id: 0, sub_type: 'ban' });
  });

  it('cards: managers over members, anyone over themselves; a change is announced', () => {
    fails(
      () => ops.set_card({ group_id: 100100, user_id: 20003, card: 'x' }, 20002),
      'NOT_MANAGEABLE',
    );
    ops.set_card({ group_id: 100100, user_id: 20002, card: 'bobby' }, 20002);
    ops.set_card({ group_id: 100100, user_id: 20003, card: 'carol!' }, 20001);
    expect(of(10001, 'group_card')).toEqual([
      expect.objectContaining({ user_id: 20002, card_new: 'bobby', card_old: '' }),
      expect.objectContaining({ user_id: 20003, card_new: 'carol!' }),
    ]);
  });

  it('only the owner sets admins and special titles', () => {
    fails(
      () => ops.set_admin({ group_id: 100100, user_id: 20002, enable: true }, 20001),
      'PERMISSION_DENIED',
    );
    fails(
      () => ops.set_admin({ group_id: 100100, user_id: 424242, enable: true }, 10001),
      'GROUP_MEMBER_NOT_FOUND',
    );
    ops.set_admin({ group_id: 100100, user_id: 20002, enable: true }, 10001);
    expect(of(10002, 'group_admin')).toEqual([
      expect.objectContaining({ user_id: 20002, set: true }),
    ]);
    fails(
      () => ops.set_title({ group_id: 100100, user_id: 20002, title: 't' }, 20001),
      'NOT_MANAGEABLE',
    );
    ops.set_title({ group_id: 100100, user_id: 20002, title: 'veteran' }, 10001);
    expect(of(10002, 'title')).toEqual([
      expect.objectContaining({ user_id: 20002, title: 'veteran' }),
    ]);
  });

  it('members leave; the owner only dismisses', () => {
    ops.leave_group({ group_id: 100100, dismiss: false }, 20004);
    expect(of(10001, 'group_decrease')).toEqual([
      expect.objectContaining({ user_id: 20004, operator_id: 20004, sub_type: 'leave' }),
    ]);
    fails(() => ops.leave_group({ group_id: 100100, dismiss: false }, 10001), 'PERMISSION_DENIED');
    ops.leave_group({ group_id: 100100, dismiss: true }, 10001);
    expect(of(10002, 'group_decrease').at(-1)).toMatchObject({
      sub_type: 'kick_me',
      operator_id: 10001,
    });
    fails(() => ops.get_group({ group_id: 100100 }, 10002), 'GROUP_NOT_FOUND');
  });
});

describe('rules - messages', () => {
  it('members recall their own messages within 2 minutes; admins recall members’ any time', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const bob = ops.send_group_msg({ group_id: 100100, elements: text('oops') }, 20002);
    ops.recall({ group_id: 100100, seq: bob.seq, sender_id: 20002 }, 20002);
    fails(
      () => ops.recall({ group_id: 100100, seq: bob.seq, sender_id: 20002 }, 20002),
      'RECALL_API_ERROR',
    );
    const late = ops.send_group_msg({ group_id: 100100, elements: text('old') }, 20002);
    vi.setSystemTime(Date.now() + 3 * 60_000);
    fails(
      () => ops.recall({ group_id: 100100, seq: late.seq, sender_id: 20002 }, 20002),
      'RECALL_API_ERROR',
    );
    fails(
      () => ops.recall({ group_id: 100100, seq: late.seq, sender_id: 20002 }, 20003),
      'RECALL_API_ERROR',
    );
    ops.recall({ group_id: 100100, seq: late.seq, sender_id: 20002 }, 20001);
    expect(of(10001, 'group_recall').at(-1)).toMatchObject({
      user_id: 20002,
      operator_id: 20001,
      seq: late.seq,
    });
  });

  it('private messages: only between friends, recalled only by their sender', () => {
    fails(
      () => ops.send_private_msg({ user_id: 20006, elements: text('x') }, 10001),
      'SEND_MSG_API_ERROR',
    );
    const sent = ops.send_private_msg({ user_id: 10001, elements: text('psst') }, 20001);
    fails(
      () => ops.recall({ user_id: 20001, seq: sent.seq, sender_id: 20001 }, 10001),
      'CANNOT_RECALL_FRIEND_MSG',
    );
    ops.recall({ user_id: 10001, seq: sent.seq, sender_id: 20001 }, 20001);
    expect(of(10001, 'friend_recall')).toEqual([
      expect.objectContaining({ user_id: 20001, seq: sent.seq }),
    ]);
  });

  it('temporary sessions need a shared group', () => {
    expect(
      ops.send_private_msg({ user_id: 10001, elements: text('temp'), group_id: 100100 }, 20005).seq,
    ).toBeGreaterThan(0);
    expect(of(10001, 'private_message').at(-1)).toMatchObject({ temp_source: 100100 });
    fails(
      () => ops.send_private_msg({ user_id: 10001, elements: text('x'), group_id: 100200 }, 20006),
      'SEND_MSG_API_ERROR',
    );
  });

  it('@all: managers spend a daily quota, members send the words', () => {
    const atAll = [{ type: 'at', data: { qq: 'all' } }];
    ops.send_group_msg({ group_id: 100100, elements: atAll }, 20002);
    expect(w.groups.get(100100)!.messages.get(w.groups.get(100100)!.log.at(-1)!)!.elements).toEqual(
      text('@全体成员'),
    );
    expect(ops.get_at_all_remain({ group_id: 100100 }, 20002)).toEqual({
      can_at_all: false,
      remain_at_all_count_for_group: 10,
      remain_at_all_count_for_uin: 0,
    });
    for (let i = 0; i < 3; i++) ops.send_group_msg({ group_id: 100100, elements: atAll }, 10001);
    fails(
      () => ops.send_group_msg({ group_id: 100100, elements: atAll }, 10001),
      'SEND_MSG_API_ERROR',
    );
    expect(ops.get_at_all_remain({ group_id: 100100 }, 10001)).toEqual({
      can_at_all: false,
      remain_at_all_count_for_group: 7,
      remain_at_all_count_for_uin: 0,
    });
  });

  it('essence: admins only, announced to the other accounts', () => {
    const m = ops.send_group_msg({ group_id: 100100, elements: text('gem') }, 20003);
    fails(
      () => ops.set_essence({ group_id: 100100, seq: m.seq, enable: true }, 20002),
      'SET_ESSENCE_MSG_ERROR',
    );
    ops.set_essence({ group_id: 100100, seq: m.seq, enable: true }, 10001);
    expect(ops.get_essence_list({ group_id: 100100 }, 10002)).toEqual([
      expect.objectContaining({ sender_id: 20003, operator_id: 10001, seq: m.seq }),
    ]);
    expect(of(10002, 'essence')).toEqual([
      expect.objectContaining({ sub_type: 'add', sender_id: 20003, operator_id: 10001 }),
    ]);
    expect(of(10001, 'essence')).toEqual([]);
  });
});

describe('rules - requests and files', () => {
  it('a friend request flag can be handled once', async () => {
    const { requestFriend } = await import('../src/world/social.js');
    const flag = requestFriend(w, 20006, 10001, 'hello');
    expect(of(10001, 'friend_request')).toEqual([
      expect.objectContaining({ user_id: 20006, comment: 'hello', flag }),
    ]);
    ops.handle_friend_request({ flag, approve: true, remark: 'frank' }, 10001);
    fails(
      () => ops.handle_friend_request({ flag, approve: true, remark: '' }, 10001),
      'FLAG_HAS_BEEN_CHECKED',
    );
    fails(
      () => ops.handle_friend_request({ flag: 'nope', approve: true, remark: '' }, 10001),
      'FLAG_NOT_FOUND',
    );
    expect(of(10001, 'friend_add')).toEqual([expect.objectContaining({ user_id: 20006 })]);
    expect(ops.get_friends({}, 10001).map(f => f.user_id)).toContain(20006);
  });

  it('join requests go to the managing accounts; approving adds the member', async () => {
    const { requestJoin } = await import('../src/world/social.js');
    const [flag] = requestJoin(w, 20006, 100100, 'let me in');
    expect(of(10001, 'group_request')).toEqual([
      expect.objectContaining({ sub_type: 'add', user_id: 20006, flag }),
    ]);
    expect(of(10002, 'group_request')).toEqual([]);
    expect(ops.get_system_messages({}, 10001).join_requests).toEqual([
      expect.objectContaining({ requester_uin: 20006, checked: false }),
    ]);
    ops.handle_group_request({ flag: flag!, approve: true, reason: '' }, 10001);
    expect(of(10002, 'group_increase')).toEqual([
      expect.objectContaining({ user_id: 20006, operator_id: 0, sub_type: 'approve' }),
    ]);
    fails(
      () => ops.handle_group_request({ flag: flag!, approve: true, reason: '' }, 10001),
      'FLAG_HAS_BEEN_CHECKED',
    );
  });

  it('files: uploads are announced, the quota holds, deletes are for uploaders and admins', () => {
    const { file_id } = ops.upload_group_file(
      { group_id: 100100, name: 'a.txt', size: 10, folder: '' },
      20002,
    );
    expect(of(10001, 'group_upload')).toEqual([
      expect.objectContaining({
        user_id: 20002,
        file: expect.objectContaining({ id: file_id, name: 'a.txt', size: 10, busid: 102 }),
      }),
    ]);
    fails(
      () =>
        ops.upload_group_file(
          { group_id: 100100, name: 'huge', size: 11 * 1024 ** 3, folder: '' },
          20002,
        ),
      'FILE_SYSTEM_UPLOAD_API_ERROR',
    );
    fails(
      () => ops.delete_file({ group_id: 100100, file_id, busid: 102 }, 20003),
      'FILE_SYSTEM_DELETE_API_ERROR',
    );
    fails(
      () => ops.create_folder({ group_id: 100100, parent_id: '/', name: 'docs' }, 20002),
      'FILE_SYSTEM_API_ERROR',
    );
    ops.create_folder({ group_id: 100100, parent_id: '/', name: 'docs' }, 10001);
    const listing = ops.list_files({ group_id: 100100, folder_id: '/' }, 10002);
    expect(listing.files?.map(f => f.file_name)).toEqual(['a.txt']);
    expect(listing.folders?.map(f => f.folder_name)).toEqual(['docs']);
    ops.delete_file({ group_id: 100100, file_id, busid: 102 }, 20001);
    expect(ops.get_fs_info({ group_id: 100100 }, 10001)).toMatchObject({
      file_count: 0,
      used_space: 0,
    });
  });
});
