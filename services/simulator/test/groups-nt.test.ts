/**
 * The NT-era group rules of the simulator (groups-nt.ts, ai-voices.ts), in process on the demo
 * world: 10001 owns 100100 (10002 and people are members), 10002 is an admin of 100200.
 */
import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { OpCaller, WorldState } from '@cqfleet/simulator';
import { type DemoWorld, demoWorld, fails } from './demo-world.js';
import { AI_CHARACTERS, aiVoiceBytes } from '../src/world/ai-voices.js';

let w: WorldState;
let ops: OpCaller;
let of: DemoWorld['of'];

beforeEach(() => {
  ({ w, ops, of } = demoWorld({ publicUrl: 'http://sim' }));
});

describe('groups (NT) - renames, public view, remarks, masks', () => {
  it('a rename is heard by every account in the group, the renaming one too', () => {
    ops.set_group_name({ group_id: 100100, name: 'new name' }, 20001);
    for (const uin of [10001, 10002])
      expect(of(uin, 'group_name')).toEqual([
        expect.objectContaining({ group_id: 100100, operator_id: 20001, name_new: 'new name' }),
      ]);
    ops.set_group_name({ group_id: 100100, name: 'new name' }, 10001);
    expect(of(10001, 'group_name')).toHaveLength(1);
  });

  it('find_group: the public part of any existing group', () => {
    expect(ops.find_group({ group_id: 100200 }, 10001)).toEqual({
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
    fails(() => ops.find_group({ group_id: 1 }, 10001), 'GROUP_NOT_FOUND');
  });

  it('a remark and a mask are the account’s own, and leave with it', () => {
    ops.set_group_remark({ group_id: 100100, remark: 'home' }, 10002);
    ops.set_msg_mask({ group_id: 100100, mask: 4 }, 10002);
    expect(ops.get_group({ group_id: 100100 }, 10002).group_remark).toBe('home');
    expect(ops.get_group({ group_id: 100100 }, 10001).group_remark).toBe('');
    expect(ops.get_msg_masks({}, 10002)).toEqual([
      { group_id: 100100, group_name: 'cqfleet demo', msg_mask: 4 },
      { group_id: 100200, group_name: 'cqfleet ops', msg_mask: 1 },
    ]);
    fails(() => ops.set_msg_mask({ group_id: 100100, mask: 0 }, 10002), 'INVALID_PARAMS');
    ops.whole_ban({ group_id: 100100, enable: true }, 10001);
    expect(ops.get_groups({}, 10002)[0]).toMatchObject({ group_all_shut: -1 });
    ops.leave_group({ group_id: 100100, dismiss: false }, 10002);
    expect(w.group(100100).nt?.remarks.has(10002)).toBe(false);
    expect(w.group(100100).nt?.msgMasks.has(10002)).toBe(false);
  });
});

describe('groups (NT) - kicking several members', () => {
  it('is all or none, under kick’s rules', () => {
    const kick = (user_ids: number[], actor: number) =>
      ops.kick_members({ group_id: 100100, user_ids, reject_add_request: true }, actor);
    fails(() => kick([20003, 10001], 20001), 'NOT_MANAGEABLE');
    fails(() => kick([20003, 424242], 10001), 'MEMBER_NOT_FOUND');
    fails(() => kick([], 10001), 'INVALID_PARAMS');
    expect(of(10002, 'group_decrease')).toEqual([]);
    kick([20003, 20004, 20003], 20001);
    expect(of(10002, 'group_decrease').map(e => (e as { user_id: number }).user_id)).toEqual([
      20003, 20004,
    ]);
    expect(w.group(100100).blocked).toEqual(new Set([20003, 20004]));
  });
});

describe('groups (NT) - AI voices', () => {
  it('are a pure function of character and text', () => {
    const a = aiVoiceBytes('sim-voice-girl', '你好');
    expect(a.subarray(0, 4).toString()).toBe('RIFF');
    expect(aiVoiceBytes('sim-voice-girl', '你好')).toEqual(a);
    expect(aiVoiceBytes('sim-voice-girl', ' 你好 ')).toEqual(a);
    expect(aiVoiceBytes('sim-voice-cat', '你好')).not.toEqual(a);
    expect(aiVoiceBytes('sim-voice-girl', '再见')).not.toEqual(a);
    expect(() => aiVoiceBytes('nobody', 'x')).toThrowError(
      expect.objectContaining({ code: 'INVALID_PARAMS' }),
    );
    expect(() => aiVoiceBytes('sim-voice-girl', ' ')).toThrowError(
      expect.objectContaining({ code: 'INVALID_PARAMS' }),
    );
  });

  it('are listed by category for a member, and sent as a record others receive', () => {
    const speaking = ops.get_ai_characters({ group_id: 100100 }, 10001);
    expect(speaking.map(c => c.type)).toEqual(['推荐', '趣味']);
    expect(speaking.flatMap(c => c.characters).length).toBe(
      AI_CHARACTERS.filter(c => c.chatType === 1).length,
    );
    expect(speaking[0]?.characters[0]?.preview_url).toBe('http://sim/ai-voices/sim-voice-girl.wav');
    fails(() => ops.get_ai_characters({ group_id: 100200 }, 10001), 'GROUP_NOT_FOUND');
    fails(() => ops.get_ai_characters({ group_id: 100100, chat_type: 3 }, 10001), 'INVALID_PARAMS');

    const ask = { group_id: 100100, character: 'sim-voice-girl', text: 'hello' };
    expect(ops.get_ai_record(ask, 10001)).toEqual({
      url: 'http://sim/ai-voices/sim-voice-girl.wav?text=hello',
    });
    const sent = ops.send_ai_record(ask, 10001);
    const md5 = createHash('md5').update(aiVoiceBytes('sim-voice-girl', 'hello')).digest('hex');
    expect(sent.elements).toEqual([
      { type: 'record', data: { file: `${md5}.amr`, url: `http://sim/media/record/${md5}.amr` } },
    ]);
    expect(of(10002, 'group_message')).toEqual([
      expect.objectContaining({ group_id: 100100, seq: sent.seq, elements: sent.elements }),
    ]);
    // Voice-to-text reads what the character said, not words derived from the bytes.
    expect(ops.voice_text({ group_id: 100100, seq: sent.seq }, 10002)).toEqual({ text: 'hello' });
    ops.ban({ group_id: 100100, user_id: 10002, duration: 60 }, 10001);
    fails(() => ops.send_ai_record(ask, 10002), 'SEND_MSG_API_ERROR');
  });
});
