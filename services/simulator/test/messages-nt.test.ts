/**
 * The NT-era message state (issue 17): unread counts that read marks, sends and recalls change,
 * reactions with their counts, copies of one message, what voices say, gifts. In process on the
 * demo world: 10001 owns 100100, 10002 is a member; Alice (20001) is an admin and a friend of
 * both accounts.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { OpCaller } from '@cqfleet/simulator';
import { type DemoWorld, demoWorld, text, fails } from './demo-world.js';

let ops: OpCaller;
let of: DemoWorld['of'];

const unread = (uin: number) =>
  Object.fromEntries(
    ops.get_recent_contacts({ count: 10 }, uin).map(c => [`${c.chat_type}:${c.peer_id}`, c.unread]),
  );

beforeEach(() => {
  ({ ops, of } = demoWorld());
});

describe('unread messages', () => {
  it('count what others said; read marks, own sends and recalls take them away', () => {
    ops.send_group_msg({ group_id: 100100, elements: text('one') }, 20001);
    const two = ops.send_group_msg({ group_id: 100100, elements: text('two') }, 20001);
    ops.send_private_msg({ user_id: 10002, elements: text('psst') }, 20001);
    expect(unread(10002)).toEqual({ 'group:100100': 2, 'private:20001': 1 });
    ops.recall({ group_id: 100100, seq: two.seq, sender_id: 20001 }, 20001);
    expect(unread(10002)['group:100100']).toBe(1);
    ops.mark_read({ group_id: 100100 }, 10002);
    expect(unread(10002)).toEqual({ 'group:100100': 0, 'private:20001': 1 });
    ops.send_private_msg({ user_id: 20001, elements: text('answer') }, 10002);
    expect(unread(10002)['private:20001']).toBe(0);
    ops.send_group_msg({ group_id: 100100, elements: text('three') }, 20001);
    ops.send_private_msg({ user_id: 10002, elements: text('four') }, 20001);
    ops.mark_all_read({}, 10002);
    expect(unread(10002)).toEqual({ 'group:100100': 0, 'private:20001': 0 });
    // Each account's counts are its own.
    expect(unread(10001)['group:100100']).toBe(2); // one, three (two was recalled)
    fails(() => ops.mark_read({ group_id: 100200 }, 10001), 'GROUP_NOT_FOUND');
    fails(() => ops.mark_read({}, 10001), 'BAD_REQUEST');
  });

  it('recent chats carry the last message, its sender and the friend’s remark', () => {
    ops.send_private_msg({ user_id: 10001, elements: text('hi') }, 20001);
    ops.send_group_msg({ group_id: 100100, elements: text('latest') }, 20001);
    const [group, friend] = ops.get_recent_contacts({ count: 2 }, 10001);
    expect(group).toMatchObject({
      chat_type: 'group',
      peer_name: 'cqfleet demo',
      last_message: text('latest'),
      last_sender: { user_id: 20001, card: 'Alice (admin)', role: 'admin' },
    });
    expect(friend).toMatchObject({
      chat_type: 'private',
      peer_id: 20001,
      peer_name: 'Alice',
      remark: '',
      last_sender: { user_id: 20001, nickname: 'Alice' },
    });
  });
});

describe('reactions', () => {
  it('report the count after each change, removals too; no change tells nobody', () => {
    const m = ops.send_group_msg({ group_id: 100100, elements: text('react') }, 20001);
    const react = (uin: number, set: boolean) =>
      ops.react({ group_id: 100100, seq: m.seq, emoji_id: '76', set }, uin);
    react(10001, true);
    react(20002, true);
    react(20002, true);
    react(10001, false);
    react(10001, false);
    expect(of(10002, 'reaction').map(e => e.kind === 'reaction' && [e.set, e.count])).toEqual([
      [true, 1],
      [true, 2],
      [false, 1],
    ]);
    expect(ops.get_reactions({ group_id: 100100, seq: m.seq, emoji_id: '76' }, 10002)).toEqual([
      { user_id: 20002, nickname: 'Bob', avatar: expect.stringContaining('20002') },
    ]);
    ops.recall({ group_id: 100100, seq: m.seq, sender_id: 20001 }, 20001);
    fails(() => react(10001, true), 'MESSAGE_NOT_FOUND');
  });
});

describe('forwarding one message, voices, gifts', () => {
  it('forward_single sends a copy as the actor’s own, under the rules of sending', () => {
    const m = ops.send_group_msg({ group_id: 100100, elements: text('copy me') }, 20001);
    const copy = ops.forward_single({ group_id: 100100, seq: m.seq, to_user_id: 10002 }, 10001);
    expect(of(10002, 'private_message')).toEqual([
      expect.objectContaining({
        seq: copy.seq,
        sender: expect.objectContaining({ user_id: 10001 }),
        elements: text('copy me'),
      }),
    ]);
    fails(
      () => ops.forward_single({ group_id: 100100, seq: m.seq, to_group_id: 100200 }, 10001),
      'GROUP_NOT_FOUND',
    );
    fails(
      () => ops.forward_single({ group_id: 100100, seq: m.seq, to_user_id: 20004 }, 10001),
      'SEND_MSG_API_ERROR',
    );
  });

  it('voice_text: the text a voice was said with, a tts text, or words derived from the voice', () => {
    const said = ops.send_group_msg(
      {
        group_id: 100100,
        elements: [{ type: 'record', data: { file: 'http://v/a.amr', text: '明天见' } }],
      },
      20001,
    );
    expect(ops.voice_text({ group_id: 100100, seq: said.seq }, 10001)).toEqual({ text: '明天见' });
    expect(said.elements[0]!.data).not.toHaveProperty('text');
    const tts = ops.send_group_msg(
      { group_id: 100100, elements: [{ type: 'tts', data: { text: '你好' } }] },
      10001,
    );
    expect(ops.voice_text({ group_id: 100100, seq: tts.seq }, 10002)).toEqual({ text: '你好' });
    const plain = (file: string) =>
      ops.send_private_msg(
        { user_id: 10001, elements: [{ type: 'record', data: { file } }] },
        20001,
      );
    const a = plain('http://v/b.amr');
    const b = plain('http://v/c.amr');
    const read = (seq: number) =>
      ops.voice_text({ user_id: 20001, seq, sender_id: 20001 }, 10001).text;
    expect(read(a.seq)).toBe(read(a.seq));
    expect(read(a.seq)).not.toBe(read(b.seq));
    expect(read(a.seq)).toMatch(/^\p{Script=Han}+$/u);
    const words = ops.send_group_msg({ group_id: 100100, elements: text('no voice') }, 20001);
    fails(
      () => ops.voice_text({ group_id: 100100, seq: words.seq }, 10001),
      'RECORD_CONVERT_ERROR',
    );
  });

  it('send_gift: the whole group, the giver included, gets the gift with a seq of its own', () => {
    const before = ops.send_group_msg({ group_id: 100100, elements: text('before') }, 20001);
    ops.send_gift({ group_id: 100100, user_id: 10002, gift_id: 8 }, 10001);
    const gift = { kind: 'gift', group_id: 100100, sender_id: 10001, target_id: 10002, gift_id: 8 };
    for (const uin of [10001, 10002])
      expect(of(uin, 'gift')).toEqual([
        expect.objectContaining({ ...gift, seq: before.seq + 1, gift_name: '告白话筒' }),
      ]);
    fails(
      () => ops.send_gift({ group_id: 100100, user_id: 10002, gift_id: 14 }, 10001),
      'SEND_MSG_API_ERROR',
    );
    fails(
      () => ops.send_gift({ group_id: 100100, user_id: 20006, gift_id: 1 }, 10001),
      'MEMBER_NOT_FOUND',
    );
  });
});
