/**
 * The network refuses messages no QQ client could send (message-limits.ts): too much text, too
 * many segments or images, oversized segment data, forwards past their nodes, depth or bytes.
 * A refused send stores and tells nothing.
 */
import type { OpCaller, WorldState } from '@cqfleet/simulator';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  MAX_DATA_BYTES,
  MAX_FORWARD_TOTAL_NODES,
  MAX_IMAGES,
  MAX_SEGMENTS,
  MAX_TEXT_BYTES,
} from '../src/world/message-limits.js';
import { KEPT_GUILD_MESSAGES } from '../src/world/guilds.js';
import { keepMedia, MAX_KEPT_MEDIA } from '../src/world/media-store.js';
import { type DemoWorld, demoWorld, fails, text } from './demo-world.js';

let w: WorldState;
let ops: OpCaller;
let of: DemoWorld['of'];

beforeEach(() => {
  ({ w, ops, of } = demoWorld());
});

const group = (elements: Array<{ type: string; data: Record<string, unknown> }>, from = 20002) =>
  ops.send_group_msg({ group_id: 100100, elements: elements as never }, from);
const node = (elements: unknown[] | undefined, nodes?: unknown[]) => ({
  user_id: 20001,
  nickname: 'Alice',
  time: 1,
  ...(elements ? { elements } : {}),
  ...(nodes ? { nodes } : {}),
});

describe('message limits - sends', () => {
  it('refuses a 47 MB text as a failed send, storing and telling nothing', () => {
    const before = w.group(100100).log.length;
    fails(() => group(text('x'.repeat(47 * 1024 * 1024))), 'SEND_MSG_API_ERROR');
    expect(w.group(100100).log.length).toBe(before);
    expect(of(10001, 'group_message')).toEqual([]);
  });

  it('takes any text a client can type: 5,000 CJK characters, or exactly the limit', () => {
    group(text('字'.repeat(5_000)));
    group(text('x'.repeat(MAX_TEXT_BYTES)));
    // Text is counted over every text segment together, in UTF-8 bytes.
    fails(
      () => group([...text('x'.repeat(MAX_TEXT_BYTES / 2)), ...text('字'.repeat(3_000))]),
      'SEND_MSG_API_ERROR',
    );
    expect(of(10001, 'group_message')).toHaveLength(2);
  });

  it('refuses too many segments or images', () => {
    const faces = (n: number) =>
      Array.from({ length: n }, () => ({ type: 'face', data: { id: '1' } }));
    group(faces(MAX_SEGMENTS));
    fails(() => group(faces(MAX_SEGMENTS + 1)), 'SEND_MSG_API_ERROR');
    const images = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ type: 'image', data: { file: `http://x/${i}.png` } }));
    group(images(MAX_IMAGES));
    fails(() => group(images(MAX_IMAGES + 1)), 'SEND_MSG_API_ERROR');
  });

  it('bounds what other segments carry, keys and values, whatever their type', () => {
    fails(
      () => group([{ type: 'json', data: { data: 'x'.repeat(MAX_DATA_BYTES + 1) } }]),
      'SEND_MSG_API_ERROR',
    );
    fails(
      () => group([{ type: 'unknown', data: { ['k'.repeat(MAX_DATA_BYTES + 1)]: '' } }]),
      'SEND_MSG_API_ERROR',
    );
    fails(
      () => group([{ type: 'unknown', data: { nested: { a: 'x'.repeat(MAX_DATA_BYTES) } } }]),
      'SEND_MSG_API_ERROR',
    );
    group([{ type: 'json', data: { data: JSON.stringify({ app: 'x', pad: 'y'.repeat(4_000) }) } }]);
  });

  it('does not count inline media as text or data: it is stored as a content name', () => {
    const b64 = Buffer.alloc(200 * 1024, 7).toString('base64');
    const sent = group([{ type: 'image', data: { file: `base64://${b64}` } }]);
    expect(sent.elements[0]!.data.file).toMatch(/^[0-9a-f]{32}\.image$/);
  });

  it('applies to private messages and guild messages alike', () => {
    fails(
      () =>
        ops.send_private_msg(
          { user_id: 10001, elements: text('x'.repeat(MAX_TEXT_BYTES + 1)) },
          20001,
        ),
      'SEND_MSG_API_ERROR',
    );
    expect(w.user(20001).privateLog).toHaveLength(0);
    fails(
      () =>
        ops.send_guild_msg(
          {
            guild_id: '7000000001',
            channel_id: '9000001',
            elements: text('x'.repeat(MAX_TEXT_BYTES + 1)),
          },
          10002,
        ),
      'SEND_MSG_API_ERROR',
    );
  });
});

describe('message limits - forwards', () => {
  const forward = (nodes: unknown[]) =>
    ops.send_forward({ group_id: 100100, nodes: nodes as never }, 20002);
  const one = () => node(text('hi'));

  it('refuses a node too large, before anything is stored', () => {
    fails(() => forward([one(), node(text('x'.repeat(MAX_TEXT_BYTES + 1)))]), 'SEND_MSG_API_ERROR');
    expect(w.forwards.size).toBe(0);
    expect(of(10001, 'group_message')).toEqual([]);
  });

  it('refuses more nodes than a package holds, nested ones counted', () => {
    // 6 nested packages of 200: 1,200 nodes, each level within its 200.
    const nested = Array.from({ length: 6 }, () =>
      node(undefined, Array.from({ length: 200 }, one)),
    );
    fails(() => forward(nested), 'EMPTY_NODES');
    expect(w.forwards.size).toBe(0);
    const fits = Array.from({ length: 4 }, () => node(undefined, Array.from({ length: 200 }, one)));
    expect(4 + 4 * 200).toBeLessThanOrEqual(MAX_FORWARD_TOTAL_NODES);
    forward(fits);
    expect(w.forwards.size).toBe(5);
  });

  it('refuses nesting past 8 levels and a package past 2 MiB', () => {
    let deep = [one()];
    for (let i = 0; i < 8; i++) deep = [node(undefined, deep)];
    fails(() => forward(deep), 'EMPTY_NODES');
    const big = Array.from({ length: 200 }, () => node(text('x'.repeat(12 * 1024))));
    fails(() => forward(big), 'EMPTY_NODES');
    expect(w.forwards.size).toBe(0);
  });

  it('keeps the newest 10,000 packages; an older resid is gone', () => {
    const first = forward([one()]).resid;
    for (let i = 0; i < 10_000; i++) forward([one()]);
    expect(w.forwards.size).toBe(10_000);
    fails(() => ops.get_forward({ resid: first }, 20002), 'MSG_NOT_FOUND');
  });
});

describe('message limits - what the network keeps', () => {
  it('keeps the newest 10,000 guild messages; seqs go on counting', () => {
    const say = () =>
      ops.send_guild_msg(
        { guild_id: '7000000001', channel_id: '9000001', elements: text('hi') },
        10002,
      ).seq;
    const first = say();
    let last = first;
    for (let i = 0; i < KEPT_GUILD_MESSAGES; i++) last = say();
    expect(last).toBe(first + KEPT_GUILD_MESSAGES);
    const get = (seq: number) =>
      ops.get_guild_msg({ guild_id: '7000000001', channel_id: '9000001', seq }, 10002);
    fails(() => get(first), 'MSG_NOT_FOUND');
    expect(get(last).seq).toBe(last);
  });

  it('keeps inline media within the media store bounds, not 500 of any size', () => {
    for (let i = 0; i <= MAX_KEPT_MEDIA; i++) keepMedia(w, `${i}.image`, Buffer.from([i & 0xff]));
    expect(w.media.size).toBe(MAX_KEPT_MEDIA);
    expect(w.media.has('0.image')).toBe(false);
    // Sent inline, media goes through the same store.
    const b64 = Buffer.from('inline').toString('base64');
    const sent = group([{ type: 'image', data: { file: `base64://${b64}` } }]);
    expect(w.media.get(sent.elements[0]!.data.file!)?.toString()).toBe('inline');
    expect(w.media.size).toBe(MAX_KEPT_MEDIA);
  });
});
