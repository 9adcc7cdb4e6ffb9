/**
 * get_forward_msg's expansion holds to one budget per answer (forward-view.ts), against a real
 * Redis store and an upstream that answers forward reads with whatever it likes: nested forwards
 * that name themselves, trees 200 wide and unbounded deep. The answer stays within
 * MESSAGE_LIMITS' total nodes, each resid is read once, loops end, the action's signal stops the
 * reads, and the number of store reads is counted.
 */
import type { ForwardNodeRecord } from '@cqfleet/contracts';
import { MESSAGE_LIMITS } from '@cqfleet/onebot';
import { connectRedis, createLogger, type Redis } from '@cqfleet/runtime';
import { Namespace } from '@cqfleet/contracts';
import { testInfra, uniqueNamespace } from '@cqfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ForwardNodeView, QQBacked, type QQSideLink } from '@cqfleet/history';
import { MAX_ANSWER_BYTES } from '../src/forward-view.js';
import { MessageStore } from '@cqfleet/history-store';

const log = createLogger('test', 'silent');
const TOTAL = MESSAGE_LIMITS.forwardTotalNodes.max;
let redis: Redis;

beforeAll(() => {
  redis = connectRedis(testInfra().redisUrl, 'test', log);
});
afterAll(() => redis?.disconnect());

/** The real store, counting its forward reads. */
class CountingStore extends MessageStore {
  reads = 0;
  override getForward(resid: string, owner?: number) {
    this.reads++;
    return super.getForward(resid, owner);
  }
}

const forwardNode = (id: string): ForwardNodeRecord => ({
  user_id: 1,
  nickname: 'a',
  time: 1_700_000_000,
  message: [{ type: 'forward', data: { id } }],
});
const textNode = (text: string): ForwardNodeRecord => ({
  user_id: 2,
  nickname: 'b',
  time: 1_700_000_000,
  message: [{ type: 'text', data: { text } }],
});

/** An upstream account whose forward reads `answer` answers; counts the reads. */
function setup(answer: (resid: string) => ForwardNodeRecord[], onRead?: (n: number) => void) {
  const store = new CountingStore(redis, new Namespace(uniqueNamespace('fwd')), {
    idSlots: 1024,
    keepPerChat: 0,
    maxAgeS: 0,
  });
  const side = {
    reads: 0,
    read: async (_self: number, _name: string, args: { resid: string }) => {
      side.reads++;
      onRead?.(side.reads);
      return answer(args.resid);
    },
    trust: async () => 'own' as const,
    close: () => undefined,
  };
  return { store, side, qq: new QQBacked(store, side as unknown as QQSideLink) };
}

const isView = (v: unknown): v is ForwardNodeView =>
  typeof v === 'object' && v !== null && 'sender' in v;

/** Every node of an answer, nested ones included. */
function countNodes(views: unknown[]): number {
  return views.reduce<number>(
    (n, v) =>
      n +
      1 +
      (isView(v) && Array.isArray(v.content) && v.content.every(isView)
        ? countNodes(v.content)
        : 0),
    0,
  );
}

/** `width` nodes, each a forward of `width` nodes …, never ending: resid `t`, `t.0`, `t.0.0` … */
const tree = (width: number) => (resid: string) =>
  Array.from({ length: width }, (_, i) => forwardNode(`${resid}.${i}`));

describe('get_forward_msg expansion', () => {
  it('a forward whose node names the forward itself answers once, unexpanded', async () => {
    const { store, side, qq } = setup(resid => [forwardNode(resid), textNode('hi')]);
    const answer = await qq.forward(10001, 'self', 'string');
    expect(answer.map(v => v.content)).toEqual(['[CQ:forward,id=self]', 'hi']);
    expect(side.reads).toBe(1);
    expect(store.reads).toBe(1);
  });

  it('a loop through two forwards, 200 wide, is read twice and held to the budget', async () => {
    const { store, side, qq } = setup(resid =>
      Array.from({ length: 200 }, () => forwardNode(resid === 'a' ? 'b' : 'a')),
    );
    const answer = await qq.forward(10001, 'a', 'array');
    expect(countNodes(answer)).toBe(TOTAL);
    expect(side.reads).toBe(2);
    expect(store.reads).toBe(2);
    // b's nodes name a, which is on the way from the top: shown as the segment.
    const b = answer[0]!.content as ForwardNodeView[];
    expect(b[0]!.content).toEqual([{ type: 'forward', data: { id: 'a' } }]);
  });

  it('a 200-wide tree of distinct forwards answers quickly within the budget, reads bounded', async () => {
    const { store, side, qq } = setup(tree(200));
    const started = performance.now();
    const answer = await qq.forward(10001, 't', 'array');
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(answer).toHaveLength(200);
    expect(countNodes(answer)).toBeLessThanOrEqual(TOTAL);
    // The top list and the first four nested lists fit; the others stay forward segments.
    expect(countNodes(answer)).toBe(TOTAL);
    expect((answer[3]!.content as unknown[]).every(isView)).toBe(true);
    expect(answer[4]!.content).toEqual([{ type: 'forward', data: { id: 't.4' } }]);
    expect(store.reads).toBeLessThanOrEqual(1 + 8 + 8);
    expect(side.reads).toBe(store.reads);
    // What was read is stored: the same call again reads only the store.
    const upstream = side.reads;
    await qq.forward(10001, 't', 'array');
    expect(side.reads).toBe(upstream);
  });

  it('a tree where every node names the same forward costs one read per distinct resid', async () => {
    const { store, qq } = setup(resid =>
      resid === 'top'
        ? Array.from({ length: 200 }, () => forwardNode('shared'))
        : Array.from({ length: 200 }, (_, i) => textNode(String(i))),
    );
    const answer = await qq.forward(10001, 'top', 'array');
    expect(countNodes(answer)).toBe(TOTAL);
    expect(store.reads).toBe(2);
  });

  it('a narrow deep tree is expanded to the depth limit only', async () => {
    const { qq } = setup(tree(1));
    let answer: unknown = await qq.forward(10001, 't', 'array');
    let levels = 0;
    while (Array.isArray(answer) && answer.every(isView) && answer.length > 0) {
      levels++;
      answer = (answer[0] as ForwardNodeView).content;
    }
    expect(levels).toBe(MESSAGE_LIMITS.forwardDepth.max);
  });

  it('holds an answer to MAX_ANSWER_BYTES: nested forwards past it stay segments', async () => {
    // The top names 20 forwards, each one node of 1 MiB: as many as fit the bytes left.
    const big = 'x'.repeat(1024 * 1024);
    const top = Array.from({ length: 20 }, (_, i) => forwardNode(`n${i}`));
    const { qq } = setup(resid => (resid === 'top' ? top : [textNode(big)]));
    const answer = await qq.forward(10001, 'top', 'array');
    const expanded = answer.filter(v => Array.isArray(v.content) && v.content.every(isView));
    const fit = Math.floor(
      (MAX_ANSWER_BYTES - JSON.stringify(top).length) / JSON.stringify([textNode(big)]).length,
    );
    expect(fit).toBeLessThan(20);
    expect(expanded).toHaveLength(fit);
    const rest = answer.filter(v => !expanded.includes(v));
    for (const v of rest) expect(v.content).toMatchObject([{ type: 'forward' }]);
  });

  it('stops reading once the action signal fires', async () => {
    const abort = new AbortController();
    const reason = new Error('timed out');
    const { side, qq } = setup(tree(2), n => {
      if (n === 5) abort.abort(reason);
    });
    await expect(qq.forward(10001, 't', 'array', abort.signal)).rejects.toBe(reason);
    const after = side.reads;
    await new Promise(r => setTimeout(r, 50));
    expect(side.reads).toBe(after);
    expect(after).toBeLessThanOrEqual(5 + 8);
  });
});
