/**
 * History's QQ-side reads of an upstream account (reads.ts): what the upstream answers is
 * stored by history, so it must never throw on what it holds, never carry ids that are no ids,
 * and be held to the forward node limits (nested content past the total left out as history
 * leaves it) and to the asked group and count of a history page.
 *
 * The upstream stands in as a function from action to its reply frame, passed through the
 * driver's own smoothReply (what OneBotDriver resolves an action with).
 */
import { MESSAGE_LIMITS } from '@cqfleet/onebot';
import { describe, expect, it } from 'vitest';
import type { OneBotUpstream } from '../src/driver/driver.js';
import { upstreamReads } from '../src/upstream/reads.js';
import { smoothReply, type UpstreamReply } from '../src/upstream/smoothing.js';

const UIN = 30001;

function upstream(answer: (action: string, params: Record<string, unknown>) => unknown) {
  const asked: Array<{ action: string; params: Record<string, unknown> }> = [];
  const up: OneBotUpstream = {
    flavor: 'napcat',
    action: async (action, params) => {
      asked.push({ action, params: params as Record<string, unknown> });
      const reply: UpstreamReply = {
        status: 'ok',
        retcode: 0,
        data: answer(action, params as Record<string, unknown>),
      };
      // Through JSON, as a frame arrives.
      return smoothReply(action, JSON.parse(JSON.stringify(reply)) as UpstreamReply);
    },
  };
  return { up, asked };
}

const text = (t: string) => [{ type: 'text', data: { text: t } }];
const node = (i: number, content: unknown = text(`n${i}`)) => ({
  sender: { user_id: 100 + i, nickname: `u${i}` },
  time: 1_700_000_000 + i,
  content,
});
const readForward = (data: unknown) =>
  upstreamReads.forward({ resid: 'r' }, upstream(() => data).up, UIN);

describe('an upstream’s forward', () => {
  it('drops nodes that are not nodes and never throws on their fields', async () => {
    const nodes = await readForward({
      messages: [
        null,
        'x',
        [],
        { sender: { user_id: { toString: 1 }, nickname: 'a' }, content: text('bad id') },
        { sender: { user_id: 'abc' }, content: text('NaN id') },
        {
          sender: { user_id: '42', nickname: { toString: 1 } },
          time: { toString: 1 },
          group_id: { toString: 1 },
          content: text('kept'),
        },
        { sender: null, time: -5, message: 'hi[CQ:face,id=1]' },
      ],
    });
    expect(nodes).toEqual([
      { user_id: 42, nickname: '', time: 0, message: text('kept') },
      {
        user_id: 0,
        nickname: '',
        time: 0,
        message: [...text('hi'), { type: 'face', data: { id: '1' } }],
      },
    ]);
    for (const n of nodes) expect(Number.isSafeInteger(n.user_id)).toBe(true);
  });

  it('reads Lagrange’s node segments, a null among them dropped', async () => {
    const nodes = await readForward({
      message: [null, { type: 'node', data: { user_id: 7, nickname: 'n', content: text('t') } }],
    });
    expect(nodes).toEqual([{ user_id: 7, nickname: 'n', time: 0, message: text('t') }]);
  });

  const perList = MESSAGE_LIMITS.forwardNodes.max;
  const list = (n: number, content?: (i: number) => unknown) =>
    Array.from({ length: n }, (_, i) => node(i, content?.(i)));
  /** NapCat's nested forward: a forward segment carrying its nodes. */
  const forwardOf = (id: string, nodes: unknown[]) => [
    { type: 'forward', data: { id, content: nodes } },
  ];
  /** A record's nested forward segment, its inline nodes parsed (undefined: left out). */
  const nestedOf = (record: { message: Array<{ type: string; data: Record<string, string> }> }) => {
    const seg = record.message[0]!;
    expect(seg.type).toBe('forward');
    return {
      id: seg.data.id,
      nodes:
        seg.data.content === undefined ? undefined : (JSON.parse(seg.data.content) as unknown[]),
    };
  };

  it('refuses a list over QQ’s 200 nodes, at the top or nested', async () => {
    expect(await readForward({ messages: list(perList) })).toHaveLength(perList);
    await expect(readForward({ messages: list(perList + 1) })).rejects.toMatchObject({
      name: 'OneBotError',
      msg: 'API_ERROR',
    });
    await expect(
      readForward({ messages: list(1, () => forwardOf('x', list(perList + 1))) }),
    ).rejects.toMatchObject({ msg: 'API_ERROR' });
    // Spec node segments nested in a node's content count as well.
    const specNested = Array.from({ length: perList + 1 }, () => ({
      type: 'node',
      data: { user_id: 1, content: text('x') },
    }));
    await expect(readForward({ messages: [node(1, specNested)] })).rejects.toMatchObject({
      msg: 'API_ERROR',
    });
  });

  it('leaves nested forwards past 1000 nodes in all as their forward segments', async () => {
    // 5 nodes, each a forward of 200 (NapCat's nested content): 1005 in all. The first four
    // fit (805), the fifth stays a forward segment with its id, as history shows it.
    const got = await readForward({ messages: list(5, i => forwardOf(`f${i}`, list(perList))) });
    expect(got).toHaveLength(5);
    for (let i = 0; i < 4; i++) expect(nestedOf(got[i]!).nodes).toHaveLength(perList);
    expect(nestedOf(got[4]!)).toEqual({ id: 'f4', nodes: undefined });
    expect(got[4]!.message).toEqual([{ type: 'forward', data: { id: 'f4' } }]);
    expect(
      await readForward({ messages: list(4, () => forwardOf('x', list(perList))) }),
    ).toHaveLength(4);
  });

  it('spends the budget level by level, the top of the tree first', async () => {
    // Two top nodes holding A and B (200 nodes each); A's first four nodes each hold a forward
    // of 200. Level 2 is A and B (598 left); of level 3 two fit (198 left), the others are left
    // out. Taken depth-first, A's inner forwards would have spent the budget before B.
    const a = list(perList, i => (i < 4 ? forwardOf(`a${i}`, list(perList)) : undefined));
    const got = await readForward({
      messages: [node(0, forwardOf('A', a)), node(1, forwardOf('B', list(perList)))],
    });
    const aNodes = nestedOf(got[0]!).nodes as Array<{ content: unknown }>;
    expect(aNodes).toHaveLength(perList);
    expect(nestedOf(got[1]!).nodes).toHaveLength(perList);
    const inner = (i: number) =>
      (aNodes[i]!.content as Array<{ data: { id: string; content?: unknown[] } }>)[0]!.data;
    for (let i = 0; i < 2; i++) expect(inner(i).content).toHaveLength(perList);
    expect(inner(2)).toEqual({ id: 'a2' });
    expect(inner(3)).toEqual({ id: 'a3' });
  });

  it('refuses a nested list without an id past the budget: it cannot be left out', async () => {
    const spec = (n: number) =>
      Array.from({ length: n }, () => ({ type: 'node', data: { user_id: 1, content: text('x') } }));
    await expect(
      readForward({
        messages: list(5, i => (i < 4 ? forwardOf(`f${i}`, list(perList)) : spec(perList))),
      }),
    ).rejects.toMatchObject({
      msg: 'API_ERROR',
      wording: expect.stringContaining(String(MESSAGE_LIMITS.forwardTotalNodes.max)),
    });
  });

  it('refuses a forward nested past the depth limit', async () => {
    let content: unknown = text('leaf');
    for (let i = 0; i < MESSAGE_LIMITS.forwardDepth.max; i++)
      content = [{ type: 'forward', data: { id: `f${i}`, content: [node(i, content)] } }];
    await expect(readForward({ messages: [node(0, content)] })).rejects.toMatchObject({
      msg: 'API_ERROR',
    });
  });
});

describe('an upstream’s get_msg', () => {
  it('is unknown, not a throw or a NaN, when its ids are no ids', async () => {
    for (const data of [
      { message_id: { toString: 1 }, user_id: 2, message: 'x' },
      { message_id: 5, user_id: { toString: 1 }, message: 'x' },
      { message_id: 5, sender: { user_id: 'abc' }, message: 'x' },
      { message_id: 5, message: 'x' },
    ])
      expect(
        await upstreamReads.message({ message_id: 5 }, upstream(() => data).up, UIN),
      ).toBeNull();
    const e = await upstreamReads.message(
      { message_id: 5 },
      upstream(() => ({ message_id: '5', sender: { user_id: '2' }, message: 'x' })).up,
      UIN,
    );
    expect(e).toMatchObject({ post_type: 'message', message_id: 5, user_id: 2 });
  });
});

describe('an upstream’s group history', () => {
  const message = (seq: number, group = 1) => ({
    post_type: 'message',
    message_type: 'group',
    group_id: group,
    user_id: 2,
    message_id: 1000 + seq,
    message_seq: seq,
    message: `m${seq}`,
  });
  const page = (seqs: number[], group = 1) => ({ messages: seqs.map(s => message(s, group)) });
  const read = (args: { seq: number; count: number }, data: unknown) =>
    upstreamReads.group_messages({ group_id: 1, ...args }, upstream(() => data).up, UIN);
  const seqs = (events: Array<{ message_seq: number }>) => events.map(e => e.message_seq);

  it('keeps at most `count` messages of the asked group, once per seq', async () => {
    const answer = {
      messages: [...page([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]).messages, message(9), message(11, 2)],
    };
    expect(seqs(await read({ seq: 10, count: 3 }, answer))).toEqual([8, 9, 10]);
  });

  it('keeps a page whose seqs are not numbered one after the other (NapCat)', async () => {
    // NapCat's message_seq is not a counter: a page asked to end at 7_340_112 holds seqs far
    // apart, all of them this page's.
    const napcat = [1_200_334, 3_991_020, 5_002_871, 7_340_112];
    expect(seqs(await read({ seq: 7_340_112, count: 20 }, page(napcat)))).toEqual(napcat);
  });

  it('keeps the newest `count` when no seq is given', async () => {
    const many = Array.from({ length: 5000 }, (_, i) => i + 1);
    const got = await read({ seq: 0, count: 20 }, page(many));
    expect(got).toHaveLength(20);
    expect(seqs(got)).toEqual(many.slice(-20));
  });

  it('asks the upstream for the window it answers to', async () => {
    const { up, asked } = upstream(() => page([]));
    await upstreamReads.group_messages({ group_id: 1, seq: 50, count: 20 }, up, UIN);
    expect(asked).toEqual([
      { action: 'get_group_msg_history', params: { group_id: 1, count: 20, message_seq: 50 } },
    ]);
  });
});
