/**
 * The message limits (message-limits.ts) and their use where the action table parses a
 * message: a go-cqhttp user's real messages pass; a message past a limit is refused with
 * go-cqhttp's envelope for it (SEND_MSG_API_ERROR, forwards EMPTY_NODES), quickly, and the
 * checks never throw whatever they are given.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkForward,
  checkMessage,
  MESSAGE_LIMITS,
  OneBotError,
  parseCQ,
  parseParams,
} from '../src/index.js';

const refusedWith = (fn: () => unknown, msg: string) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(OneBotError);
    expect((err as OneBotError).msg).toBe(msg);
    return (err as OneBotError).wording;
  }
  throw new Error(`expected ${msg}, nothing was thrown`);
};

const image = (i: number) => `[CQ:image,file=https://example.com/${i}.png]`;
const idNode = (id: number) => ({ type: 'node', data: { id } });

describe('message limits: what passes', () => {
  it('a busy real message passes: text, faces, 50 images, ats, a reply', () => {
    const cq =
      '[CQ:reply,id=123]' +
      '你好'.repeat(2000) +
      '[CQ:face,id=14]'.repeat(100) +
      '[CQ:at,qq=10001]'.repeat(100) +
      Array.from({ length: 50 }, (_, i) => image(i)).join('');
    expect(checkMessage(parseCQ(cq))).toBeUndefined();
    const p = parseParams('send_group_msg', { group_id: 1, message: cq });
    expect(p.message.length).toBeGreaterThan(250);
  });

  it('a base64 image is not counted as text', () => {
    const b64 = `base64://${'A'.repeat(1 << 20)}`;
    expect(checkMessage([{ type: 'image', data: { file: b64 } }])).toBeUndefined();
  });

  it('a forward of 200 nodes, nested twice, with an image each passes', () => {
    const custom = (content: unknown) => ({
      type: 'node',
      data: { name: 'a', uin: 1, content },
    });
    const inner = Array.from({ length: 100 }, (_, i) => custom(`第${i}条${image(i)}`));
    const messages = [
      custom(inner),
      ...Array.from({ length: 199 }, (_, i) => (i % 2 ? idNode(i) : custom('hi'))),
    ];
    const checked = checkForward(messages, { parseContent: true });
    expect(checked.ok).toBe(true);
    if (checked.ok) expect(checked.contents.get(inner[3]!)).toEqual(parseCQ(`第3条${image(3)}`));
    expect(parseParams('send_forward_msg', { group_id: 1, messages }).messages).toHaveLength(200);
  });
});

describe('message limits: what is refused', () => {
  it('a 47 MB text segment is refused at parse, quickly', () => {
    const started = performance.now();
    const wording = refusedWith(
      () => parseParams('send_group_msg', { group_id: 1, message: 'x'.repeat(47_000_000) }),
      'SEND_MSG_API_ERROR',
    );
    expect(wording).toContain(String(MESSAGE_LIMITS.textBytes.max));
    expect(performance.now() - started).toBeLessThan(2_000);
    refusedWith(
      () =>
        parseParams('send_msg', {
          group_id: 1,
          message: [{ type: 'text', data: { text: 'x'.repeat(70_000) } }],
        }),
      'SEND_MSG_API_ERROR',
    );
  });

  it('text is counted in UTF-8 bytes, card data too', () => {
    const max = MESSAGE_LIMITS.textBytes.max;
    const cjk = (n: number) => [{ type: 'text', data: { text: '字'.repeat(n) } }];
    expect(checkMessage(cjk(Math.floor(max / 3)))).toBeUndefined();
    expect(checkMessage(cjk(Math.floor(max / 3) + 1))?.tag).toBe('SEND_MSG_API_ERROR');
    expect(checkMessage([{ type: 'json', data: { data: '{'.repeat(max + 1) } }])).toBeDefined();
  });

  it('millions of pokes are refused; a few are not', () => {
    const pokes = (n: number) => '[CQ:poke,qq=10001]'.repeat(n);
    expect(checkMessage(parseCQ(pokes(MESSAGE_LIMITS.actions.max)))).toBeUndefined();
    refusedWith(
      () => parseParams('send_group_msg', { group_id: 1, message: pokes(1_000_000) }),
      'SEND_MSG_API_ERROR',
    );
    refusedWith(
      () =>
        parseParams('send_group_msg', {
          group_id: 1,
          message: `${pokes(5)}[CQ:gift,qq=1,id=1]`.repeat(2),
        }),
      'SEND_MSG_API_ERROR',
    );
  });

  it('more media than a message holds is refused', () => {
    const images = Array.from({ length: MESSAGE_LIMITS.media.max + 1 }, (_, i) => image(i));
    refusedWith(
      () => parseParams('send_private_msg', { user_id: 1, message: images.join('') }),
      'SEND_MSG_API_ERROR',
    );
  });

  it('too many segments are refused', () => {
    const faces = '[CQ:face,id=1]'.repeat(MESSAGE_LIMITS.segments.max + 1);
    expect(checkMessage(parseCQ(faces))?.tag).toBe('SEND_MSG_API_ERROR');
  });

  it('forwards: 1.5M id nodes, 201 nodes, nesting and totals are refused as EMPTY_NODES', () => {
    const many = Array.from({ length: 1_500_000 }, (_, i) => idNode(i));
    expect(checkForward(many, { parseContent: false })).toMatchObject({
      ok: false,
      refusal: { tag: 'EMPTY_NODES' },
    });
    refusedWith(
      () =>
        parseParams('send_group_forward_msg', {
          group_id: 1,
          messages: Array.from({ length: 201 }, (_, i) => idNode(i)),
        }),
      'EMPTY_NODES',
    );
    let deep: unknown = [idNode(1)];
    for (let i = 0; i < MESSAGE_LIMITS.forwardDepth.max; i++)
      deep = [{ type: 'node', data: { name: 'a', uin: 1, content: deep } }];
    refusedWith(
      () => parseParams('send_forward_msg', { group_id: 1, messages: deep }),
      'EMPTY_NODES',
    );
    const level = (content: unknown) =>
      Array.from({ length: 200 }, () => ({ type: 'node', data: { name: 'a', uin: 1, content } }));
    // 200 nodes of 200 nodes: 40 200 in all.
    expect(
      checkForward(level(Array.from({ length: 200 }, (_, i) => idNode(i))), {
        parseContent: false,
      }),
    ).toMatchObject({ ok: false, refusal: { tag: 'EMPTY_NODES' } });
  });

  it('forwards: a node past a message limit, or a forward past its totals, is refused', () => {
    const node = (content: unknown) => ({ type: 'node', data: { name: 'a', uin: 1, content } });
    expect(checkForward([node('x'.repeat(70_000))], { parseContent: true }).ok).toBe(false);
    // Shape only (the gateway) parses no content.
    expect(checkForward([node('x'.repeat(70_000))], { parseContent: false }).ok).toBe(true);
    const images = Array.from({ length: 3 }, (_, i) => image(i)).join('');
    const nodes = Array.from({ length: 150 }, () => node(images));
    expect(checkForward(nodes, { parseContent: true })).toMatchObject({
      ok: false,
      refusal: { tag: 'EMPTY_NODES', wording: expect.stringContaining('400') as string },
    });
  });
});

describe('message limits: total', () => {
  it('never throws, whatever the segments or nodes are', () => {
    fc.assert(
      fc.property(fc.array(fc.anything()), fc.boolean(), (list, parseContent) => {
        checkMessage(list);
        checkForward(list, { parseContent });
        checkForward(
          list.map(content => ({ type: 'node', data: { content } })),
          { parseContent },
        );
      }),
    );
  });
});

describe('get_forward_msg resid', () => {
  it('a resid of up to 1,024 characters passes; a longer one is INVALID_PARAMS', () => {
    const at = 'r'.repeat(1024);
    expect(parseParams('get_forward_msg', { id: at }).message_id).toBe(at);
    expect(() => parseParams('get_forward_msg', { id: `${at}r` })).toThrow(
      expect.objectContaining({ msg: 'INVALID_PARAMS' }),
    );
  });
});
