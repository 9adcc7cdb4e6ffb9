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
import { MAX_GROUP_FOLDERS, MAX_VOICE_TEXT_BYTES } from '../src/world/text-limits.js';
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
