/**
 * What people and accounts make the simulator keep is bounded in count and bytes, as QQ bounds
 * it: an essence mark leaves with its message, a group has a fixed number of file folders,
 * voice transcripts are bounded in bytes, and requests (friend, join, invite, doubtful) are
 * bounded in their comment, in how many wait per account and in how many answered flags are
 * remembered (text-limits.ts).
 */
import type { OpCaller, WorldState } from '@cqfleet/simulator';
import { beforeEach, describe, expect, it } from 'vitest';
import { voiceText } from '../src/world/chat-state.js';
import { mediaName } from '../src/world/elements.js';
import { requestFriend, requestJoin } from '../src/world/social.js';
import {
  MAX_ANSWERED_FLAGS,
  MAX_GROUP_FOLDERS,
  MAX_KEPT_REQUESTS,
  MAX_REQUEST_COMMENT_BYTES,
  MAX_VOICE_TEXT_BYTES,
} from '../src/world/text-limits.js';
import { type DemoWorld, demoWorld, fails, text } from './demo-world.js';

let w: WorldState;
let ops: OpCaller;
let of: DemoWorld['of'];

beforeEach(() => {
  ({ w, ops, of } = demoWorld());
});

describe('essence', () => {
  it('an essence mark leaves with its message when the group store lets it go', () => {
    const { seq } = ops.send_group_msg({ group_id: 100100, elements: text('keep me') }, 20001);
    // 10001 owns the demo group.
    ops.set_essence({ group_id: 100100, seq, enable: true }, 10001);
    expect(ops.get_essence_list({ group_id: 100100 }, 10001)).toHaveLength(1);
    for (let i = 0; i < w.chatLogSize; i++)
      ops.send_group_msg({ group_id: 100100, elements: text(`m${i}`) }, 20001);
    expect(w.group(100100).messages.has(seq)).toBe(false);
    expect(ops.get_essence_list({ group_id: 100100 }, 10001)).toEqual([]);
    expect(of(10002, 'essence')).toHaveLength(1);
  });
});

describe('group file folders', () => {
  it(`a group has at most ${MAX_GROUP_FOLDERS} folders; deleting one makes room`, () => {
    const create = (name: string) =>
      ops.create_folder({ group_id: 100100, parent_id: '/', name }, 10001);
    const ids = Array.from({ length: MAX_GROUP_FOLDERS }, (_, i) => create(`f${i}`).folder_id);
    fails(() => create('one more'), 'FILE_SYSTEM_API_ERROR');
    expect(w.group(100100).folders.size).toBe(MAX_GROUP_FOLDERS);
    ops.delete_folder({ group_id: 100100, folder_id: ids[0]! }, 10001);
    create('one more');
  });
});

describe('voice transcripts', () => {
  it(`are kept within ${MAX_VOICE_TEXT_BYTES} bytes, the newest first, whatever their count`, () => {
    // Each voice says 60 KiB (a message carries up to 64 KiB of segment data).
    const said = (i: number) => `${i} ${'说'.repeat(20 * 1024)}`;
    const voices = Math.ceil(MAX_VOICE_TEXT_BYTES / Buffer.byteLength(said(0))) + 10;
    for (let i = 0; i < voices; i++)
      ops.send_group_msg(
        { group_id: 100100, elements: [{ type: 'tts', data: { text: said(i) } }] },
        20001,
      );
    const kept = [...w.voiceTexts!.values()];
    const bytes = kept.reduce((n, t) => n + Buffer.byteLength(t), 0);
    expect(bytes).toBeLessThanOrEqual(MAX_VOICE_TEXT_BYTES);
    expect(w.voiceTextBytes).toBe(bytes);
    expect(kept.at(-1)).toBe(said(voices - 1));
    const newest = mediaName(`tts:${said(voices - 1)}`, 'amr');
    expect(voiceText(w, newest)).toBe(said(voices - 1));
    // The oldest was let go: it reads as any voice nobody gave a text to.
    expect(voiceText(w, mediaName(`tts:${said(0)}`, 'amr'))).not.toBe(said(0));
  });
});

describe('requests', () => {
  const big = 'x'.repeat(16 * 1024 * 1024);

  it(`a verification message is at most ${MAX_REQUEST_COMMENT_BYTES} bytes, doubtful or not`, () => {
    fails(() => requestFriend(w, 20006, 10001, big), 'INVALID_PARAMS');
    fails(() => requestFriend(w, 20006, 10001, `www.example.com ${big}`), 'INVALID_PARAMS');
    fails(() => requestJoin(w, 20006, 100100, big), 'INVALID_PARAMS');
    expect(of(10001, 'friend_request')).toEqual([]);
    expect(of(10001, 'group_request')).toEqual([]);
    expect(ops.get_doubt_requests({ count: 10 }, 10001)).toEqual([]);
    requestFriend(w, 20006, 10001, '字'.repeat(MAX_REQUEST_COMMENT_BYTES / 3));
    requestJoin(w, 20006, 100100, '字'.repeat(MAX_REQUEST_COMMENT_BYTES / 3));
  });

  it(`an account keeps its newest ${MAX_KEPT_REQUESTS} requests; one pushed out is not found`, () => {
    const flags = Array.from({ length: MAX_KEPT_REQUESTS + 10 }, (_, i) =>
      requestJoin(w, 20006, 100100, `let me in ${i}`),
    ).flat();
    const joins = ops.get_system_messages({}, 10001).join_requests!;
    expect(joins).toHaveLength(MAX_KEPT_REQUESTS);
    expect(joins.at(-1)!.message).toBe(`let me in ${MAX_KEPT_REQUESTS + 9}`);
    fails(
      () => ops.handle_group_request({ flag: flags[0]!, approve: false, reason: '' }, 10001),
      'FLAG_NOT_FOUND',
    );
    const friends = Array.from({ length: MAX_KEPT_REQUESTS + 10 }, (_, i) =>
      requestFriend(w, 20006, 10001, `hi ${i}`),
    );
    // Friend and group requests share the account's list.
    expect(w.requests.get(10001)!.kept.size).toBe(MAX_KEPT_REQUESTS);
    fails(
      () => ops.handle_friend_request({ flag: friends[0]!, approve: true, remark: '' }, 10001),
      'FLAG_NOT_FOUND',
    );
    ops.handle_friend_request({ flag: friends.at(-1)!, approve: true, remark: '' }, 10001);
  });

  it('an answered friend request is dropped; its flag is remembered, the newest only', () => {
    const first = requestFriend(w, 20006, 10001, 'hello');
    ops.handle_friend_request({ flag: first, approve: false, remark: '' }, 10001);
    expect(w.requests.get(10001)!.kept.has(first)).toBe(false);
    fails(
      () => ops.handle_friend_request({ flag: first, approve: true, remark: '' }, 10001),
      'FLAG_HAS_BEEN_CHECKED',
    );
    for (let i = 0; i < MAX_ANSWERED_FLAGS; i++) {
      const flag = requestFriend(w, 20006, 10001, `hello ${i}`);
      ops.handle_friend_request({ flag, approve: false, remark: '' }, 10001);
    }
    const mine = w.requests.get(10001)!;
    expect(mine.kept.size).toBe(0);
    expect(mine.answered.size).toBe(MAX_ANSWERED_FLAGS);
    fails(
      () => ops.handle_friend_request({ flag: first, approve: true, remark: '' }, 10001),
      'FLAG_NOT_FOUND',
    );
  });

  it('an answered join request stays listed as answered until newer ones push it out', () => {
    const [flag] = requestJoin(w, 20006, 100100, 'let me in');
    ops.handle_group_request({ flag: flag!, approve: false, reason: '' }, 10001);
    expect(ops.get_system_messages({}, 10001).join_requests).toEqual([
      expect.objectContaining({ requester_uin: 20006, checked: true, actor: 10001 }),
    ]);
    for (let i = 0; i < MAX_KEPT_REQUESTS; i++) requestJoin(w, 20006, 100100, `again ${i}`);
    expect(w.requests.get(10001)!.kept.has(flag!)).toBe(false);
    fails(
      () => ops.handle_group_request({ flag: flag!, approve: true, reason: '' }, 10001),
      'FLAG_HAS_BEEN_CHECKED',
    );
  });

  it(`doubtful requests: the newest ${MAX_KEPT_REQUESTS} wait, an answered one is dropped`, () => {
    const flags = Array.from({ length: MAX_KEPT_REQUESTS + 10 }, (_, i) =>
      requestFriend(w, 20006, 10002, `see www.example.com/${i}`),
    );
    const listed = ops.get_doubt_requests({ count: 10 * MAX_KEPT_REQUESTS }, 10002);
    expect(listed).toHaveLength(MAX_KEPT_REQUESTS);
    expect(listed[0]!.flag).toBe(flags.at(-1));
    fails(
      () => ops.handle_doubt_request({ flag: flags[0]!, approve: true }, 10002),
      'FLAG_NOT_FOUND',
    );
    ops.handle_doubt_request({ flag: flags.at(-1)!, approve: false }, 10002);
    expect(w.user(10002).people!.doubts.size).toBe(MAX_KEPT_REQUESTS - 1);
    fails(
      () => ops.handle_doubt_request({ flag: flags.at(-1)!, approve: true }, 10002),
      'FLAG_HAS_BEEN_CHECKED',
    );
  });
});
