/**
 * The session holds what arrives to the message limits before the QQ side or the media queue
 * sees any of it (handlers/message.ts, the same check the gateway makes as it parses), and a
 * send whose deadline has fired (`ctx.signal`) stops between its pokes, node look-ups and node
 * uploads. The messages here are handed to the handlers as the gateway forwards them (already
 * segments), so the session's own check is what is tested.
 */
import type { MediaClient } from '@cqfleet/media-client';
import { messageId, type MessageEvent, OneBotError, type Segment } from '@cqfleet/onebot';
import { describe, expect, it } from 'vitest';
import type { AccountRuntime } from '../src/account.js';
import type { ActionContext } from '../src/actions/context.js';
import { messageHandlers } from '../src/handlers/message.js';
import { FakeQQSide, GROUP, PERSON, SELF } from './fake-qq-side.js';

interface Harness {
  ctx: ActionContext;
  qq: FakeQQSide;
  controller: AbortController;
  lookups: number[];
  jobs: number;
  /** Most media jobs running at one time. */
  peak: number;
}

const STORED = {
  post_type: 'message',
  message_type: 'group',
  sub_type: 'normal',
  time: 1_700_000_000,
  self_id: SELF,
  message_id: 0,
  message_seq: 7,
  group_id: GROUP,
  user_id: PERSON,
  message: [{ type: 'text', data: { text: 'stored' } }],
  raw_message: 'stored',
  font: 0,
  sender: { user_id: PERSON, nickname: 'alice', card: '' },
} as unknown as MessageEvent;

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

function harness(opts: { lookup?: (n: number) => void; jobMs?: number } = {}): Harness {
  const qq = new FakeQQSide();
  const controller = new AbortController();
  const h: Harness = { qq, controller, lookups: [], jobs: 0, peak: 0, ctx: undefined! };
  let running = 0;
  const account = {
    uin: SELF,
    stats: { messageReceived: 0, messageSent: 0, lastMessageTime: 0 },
    publish: async () => undefined,
    selfMember: (group_id: number) => qq.call('get_member', { group_id, user_id: SELF }),
  } as unknown as AccountRuntime;
  const media = {
    job: async () => {
      h.jobs++;
      h.peak = Math.max(h.peak, ++running);
      await sleep(opts.jobMs ?? 0);
      running--;
      return { name: `${'a'.repeat(32)}.image`, md5: 'a'.repeat(32), size: 3, uploaded: true };
    },
  } as unknown as MediaClient;
  h.ctx = {
    account,
    qq,
    format: 'array',
    history: {
      find: async (_self, id) => {
        h.lookups.push(id);
        opts.lookup?.(h.lookups.length);
        return { ...STORED, message_id: id };
      },
      close: () => undefined,
    },
    media,
    options: {
      ignoreInvalidCqcode: false,
      extraReplyData: false,
      mediaTimeoutMs: 1_000,
      upstreamMaxInlineBytes: 1 << 20,
    },
    signal: controller.signal,
  };
  return h;
}

const TIMEOUT = new OneBotError('TIMEOUT');
const poke = (qq: number): Segment => ({ type: 'poke', data: { qq: String(qq) } });
const image = (i: number): Segment => ({
  type: 'image',
  data: { file: `https://slow.example/${i}` },
});
const idNode = (id: number) => ({ type: 'node', data: { id } });
const custom = (content: unknown) => ({ type: 'node', data: { name: 'a', uin: 1, content } });

describe('session: message limits before any QQ-side call or media job', () => {
  it('a message of a million pokes is refused with no poke sent', async () => {
    const h = harness();
    const message = Array.from({ length: 1_000_000 }, () => poke(PERSON));
    await expect(
      messageHandlers.send_group_msg({ group_id: GROUP, message, auto_escape: false }, h.ctx),
    ).rejects.toMatchObject({ msg: 'SEND_MSG_API_ERROR' });
    expect(h.qq.calls).toEqual([]);
  });

  it('a 47 MB text is refused before it reaches the QQ side', async () => {
    const h = harness();
    const message = [{ type: 'text', data: { text: 'x'.repeat(47_000_000) } }];
    await expect(
      messageHandlers.send_msg(
        { message_type: 'group', group_id: GROUP, user_id: 0, message, auto_escape: false },
        h.ctx,
      ),
    ).rejects.toMatchObject({ msg: 'SEND_MSG_API_ERROR' });
    expect(h.qq.calls).toEqual([]);
  });

  it('a message of 1000 slow images starts no upload', async () => {
    const h = harness();
    const message = Array.from({ length: 1000 }, (_, i) => image(i));
    await expect(
      messageHandlers.send_group_msg({ group_id: GROUP, message, auto_escape: false }, h.ctx),
    ).rejects.toMatchObject({ msg: 'SEND_MSG_API_ERROR' });
    expect(h.jobs).toBe(0);
    expect(h.qq.calls).toEqual([]);
  });

  it('a forward of 1.5M id nodes is refused with no look-up', async () => {
    const h = harness();
    const messages = Array.from({ length: 1_500_000 }, (_, i) => idNode(i));
    await expect(
      messageHandlers.send_group_forward_msg({ group_id: GROUP, messages }, h.ctx),
    ).rejects.toMatchObject({ msg: 'EMPTY_NODES' });
    expect(h.lookups).toEqual([]);
  });

  it('a forward whose nodes carry 1000 images is refused before any upload', async () => {
    const h = harness();
    const messages = Array.from({ length: 200 }, (_, n) =>
      custom(Array.from({ length: 5 }, (_, i) => image(n * 5 + i))),
    );
    await expect(
      messageHandlers.send_group_forward_msg({ group_id: GROUP, messages }, h.ctx),
    ).rejects.toMatchObject({ msg: 'EMPTY_NODES' });
    expect(h.jobs).toBe(0);
    expect(h.qq.calls).toEqual([]);
  });
});

describe('session: the action deadline stops a send between its steps', () => {
  it('pokes stop once the deadline fired', async () => {
    const h = harness();
    let pokes = 0;
    h.qq.answers.poke = () => {
      if (++pokes === 3) h.controller.abort(TIMEOUT);
      return null;
    };
    const message = Array.from({ length: 10 }, () => poke(PERSON));
    await expect(
      messageHandlers.send_group_msg({ group_id: GROUP, message, auto_escape: false }, h.ctx),
    ).rejects.toBe(TIMEOUT);
    expect(h.qq.ops).toEqual(['poke', 'poke', 'poke']);
  });

  it('node look-ups stop once the deadline fired, and nothing is sent', async () => {
    const h = harness({ lookup: n => n === 5 && h.controller.abort(TIMEOUT) });
    const messages = Array.from({ length: 200 }, (_, i) => idNode(messageId(GROUP, i)));
    await expect(
      messageHandlers.send_group_forward_msg({ group_id: GROUP, messages }, h.ctx),
    ).rejects.toBe(TIMEOUT);
    expect(h.lookups).toHaveLength(5);
    expect(h.qq.ops).not.toContain('send_forward');
  });

  it('node uploads run a few at a time and stop once the deadline fired', async () => {
    const h = harness({ jobMs: 20 });
    const messages = Array.from({ length: 100 }, (_, i) => custom([image(i)]));
    const sending = messageHandlers.send_group_forward_msg({ group_id: GROUP, messages }, h.ctx);
    await sleep(50);
    h.controller.abort(TIMEOUT);
    await expect(sending).rejects.toBe(TIMEOUT);
    const started = h.jobs;
    await sleep(60);
    expect(h.jobs).toBe(started);
    expect(started).toBeLessThan(40);
    expect(h.peak).toBeLessThanOrEqual(8);
    expect(h.qq.ops).not.toContain('send_forward');
  });

  it('a forward within the limits is sent whole', async () => {
    const h = harness();
    const messages = [
      ...Array.from({ length: 20 }, (_, i) =>
        custom([image(i), { type: 'text', data: { text: 'x' } }]),
      ),
      idNode(messageId(GROUP, 7)),
    ];
    const sent = await messageHandlers.send_group_forward_msg({ group_id: GROUP, messages }, h.ctx);
    expect(sent.forward_id).toBe('res1');
    expect(h.jobs).toBe(20);
    expect(h.lookups).toHaveLength(1);
  });
});
