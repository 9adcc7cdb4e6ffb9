/**
 * What an account writes beyond messages is bounded as QQ bounds it (text-limits.ts): group
 * cards, special titles and group names, reactions (QQ emoji ids, 20 kinds a message, dropped
 * with their message), and group notices (4,000 bytes each, the newest 100 kept).
 */
import type { OpCaller, WorldState } from '@cqfleet/simulator';
import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_NOTICES, MAX_REACTION_KINDS } from '../src/world/text-limits.js';
import { type DemoWorld, demoWorld, fails, text } from './demo-world.js';

let w: WorldState;
let ops: OpCaller;
let of: DemoWorld['of'];

beforeEach(() => {
  ({ w, ops, of } = demoWorld());
});

describe('names a member sets', () => {
  it('a group card is at most 60 bytes: a member cannot put megabytes into every message event', () => {
    fails(
      () =>
        ops.set_card({ group_id: 100100, user_id: 20002, card: 'x'.repeat(1024 * 1024) }, 20002),
      'INVALID_PARAMS',
    );
    fails(
      () => ops.set_card({ group_id: 100100, user_id: 20002, card: '字'.repeat(21) }, 20002),
      'INVALID_PARAMS',
    );
    expect(of(10001, 'group_card')).toEqual([]);
    ops.set_card({ group_id: 100100, user_id: 20002, card: '字'.repeat(20) }, 20002);
    expect(w.group(100100).members.get(20002)!.card).toBe('字'.repeat(20));
  });

  it('a special title is at most 18 bytes, a group name 90', () => {
    fails(
      () => ops.set_title({ group_id: 100100, user_id: 20002, title: '字'.repeat(7) }, 10001),
      'INVALID_PARAMS',
    );
    ops.set_title({ group_id: 100100, user_id: 20002, title: '字'.repeat(6) }, 10001);
    fails(
      () => ops.set_group_name({ group_id: 100100, name: '字'.repeat(31) }, 10001),
      'INVALID_PARAMS',
    );
    ops.set_group_name({ group_id: 100100, name: '字'.repeat(30) }, 10001);
    expect(w.group(100100).info.group_name).toBe('字'.repeat(30));
  });
});

describe('reactions', () => {
  const react = (seq: number, emoji_id: string, uin = 20002, set = true) =>
    ops.react({ group_id: 100100, seq, emoji_id, set }, uin);

  it('are QQ emoji ids, at most 20 kinds a message', () => {
    const { seq } = ops.send_group_msg({ group_id: 100100, elements: text('hi') }, 20001);
    fails(() => react(seq, 'x'.repeat(1024 * 1024)), 'INVALID_PARAMS');
    fails(() => react(seq, '12345678901'), 'INVALID_PARAMS');
    for (let i = 0; i < MAX_REACTION_KINDS; i++) react(seq, String(i));
    fails(() => react(seq, '999', 20003), 'API_ERROR');
    // Another member joins an existing kind, and removing is always allowed.
    react(seq, '0', 20003);
    react(seq, '999', 20003, false);
    react(seq, '0', 20003, false);
    expect(w.group(100100).reactions.get(seq)!.size).toBe(MAX_REACTION_KINDS);
  });

  it('leave with their message when the group store lets it go', () => {
    const { seq } = ops.send_group_msg({ group_id: 100100, elements: text('first') }, 20001);
    react(seq, '76');
    for (let i = 0; i < w.chatLogSize; i++)
      ops.send_group_msg({ group_id: 100100, elements: text(`m${i}`) }, 20001);
    expect(w.group(100100).messages.has(seq)).toBe(false);
    expect(w.group(100100).reactions.has(seq)).toBe(false);
  });
});

describe('group notices', () => {
  it('a notice is at most 4,000 bytes, and a group keeps its newest 100', () => {
    // 10001 owns the demo group.
    fails(
      () => ops.send_notice({ group_id: 100100, content: 'x'.repeat(1024 * 1024) }, 10001),
      'INVALID_PARAMS',
    );
    for (let i = 0; i < MAX_NOTICES + 20; i++)
      ops.send_notice({ group_id: 100100, content: `notice ${i}` }, 10001);
    const kept = ops.get_notices({ group_id: 100100 }, 10001) as Array<{
      message: { text: string };
    }>;
    expect(kept).toHaveLength(MAX_NOTICES);
    expect(kept[0]!.message.text).toBe(`notice ${MAX_NOTICES + 19}`);
  });
});

describe('what an account says of itself and of others', () => {
  const big = 'x'.repeat(1024 * 1024);

  it('a nickname is at most 36 bytes, the profile fields 100, the long nick 255: nothing is written when one is over', () => {
    const before = ops.get_user({ user_id: 10002 }, 10001) as { nickname: string; sign: string };
    fails(() => ops.set_profile({ nickname: '字'.repeat(13) }, 10002), 'INVALID_PARAMS');
    fails(() => ops.set_profile({ nickname: 'sailor', company: big }, 10002), 'INVALID_PARAMS');
    fails(() => ops.set_profile({ email: big }, 10002), 'INVALID_PARAMS');
    fails(() => ops.set_profile({ personal_note: big }, 10002), 'INVALID_PARAMS');
    fails(() => ops.set_long_nick({ long_nick: 'x'.repeat(256) }, 10002), 'INVALID_PARAMS');
    expect(ops.get_user({ user_id: 10002 }, 10001)).toEqual(before);

    ops.set_profile({ nickname: '字'.repeat(12), college: 'x'.repeat(100) }, 10002);
    ops.set_long_nick({ long_nick: 'x'.repeat(255) }, 10002);
    const after = ops.get_user({ user_id: 10002 }, 10001) as { nickname: string; sign: string };
    expect(after.nickname).toBe('字'.repeat(12));
    expect(after.sign).toBe('x'.repeat(255));
    // The nickname is the sender's name in the account's group messages.
    expect(w.group(100100).members.get(10002)!.nickname).toBe('字'.repeat(12));
  });

  it('a remark (a friend, a group, a friend accepted) is at most 96 bytes, a status wording 60', async () => {
    fails(() => ops.set_friend_remark({ user_id: 20001, remark: big }, 10001), 'INVALID_PARAMS');
    fails(() => ops.set_group_remark({ group_id: 100100, remark: big }, 10002), 'INVALID_PARAMS');
    fails(
      () => ops.set_custom_status({ face_id: 21, face_type: 1, wording: big }, 10002),
      'INVALID_PARAMS',
    );
    const { requestFriend } = await import('../src/world/social.js');
    const flag = requestFriend(w, 20006, 10001, 'hello');
    fails(
      () => ops.handle_friend_request({ flag, approve: true, remark: big }, 10001),
      'INVALID_PARAMS',
    );
    // The refused answer left the request to be answered.
    ops.handle_friend_request({ flag, approve: true, remark: '字'.repeat(32) }, 10001);
    expect(w.user(10001).friends.get(20006)!.remark).toBe('字'.repeat(32));
    ops.set_friend_remark({ user_id: 20001, remark: 'x'.repeat(96) }, 10001);
    ops.set_custom_status({ face_id: 21, face_type: 1, wording: '字'.repeat(20) }, 10002);
  });
});
