import type { MessageLookup } from '@cqfleet/rpc';
import { describe, expect, it } from 'vitest';
import { fromUpstream } from '../src/upstream/events.js';
import { parseUpstreamFrame } from '../src/upstream/frames.js';
import { renamed } from '../src/upstream/renames.js';
import { flavorOf } from '../src/upstream/onebot-driver.js';
import { inFormat } from '../src/upstream/result-format.js';
import { smoothReply } from '../src/upstream/smoothing.js';

const failure = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err as { retcode: number; msg: string; wording: string };
  }
  throw new Error('did not fail');
};

describe('upstream answers in go-cqhttp’s terms', () => {
  it('keeps data of a success, async included', () => {
    expect(
      smoothReply('get_login_info', { status: 'ok', retcode: 0, data: { user_id: 1 } }),
    ).toEqual({
      user_id: 1,
      nickname: '',
    });
    expect(smoothReply('send_msg_async', { status: 'async', retcode: 1, data: null })).toBeNull();
  });

  it('maps NapCat / LLOneBot / onebots retcodes and keeps their words', () => {
    expect(
      failure(() => smoothReply('x', { status: 'failed', retcode: 1200, message: 'boom' })),
    ).toMatchObject({
      retcode: 100,
      msg: 'API_ERROR',
      wording: 'boom',
    });
    expect(
      failure(() => smoothReply('x', { status: 'failed', retcode: 1400, wording: 'bad' })),
    ).toMatchObject({
      retcode: 100,
      msg: 'INVALID_PARAMS',
    });
    expect(failure(() => smoothReply('x', { status: 'failed', retcode: 1404 }))).toMatchObject({
      retcode: 404,
      msg: 'API_NOT_FOUND',
    });
    expect(failure(() => smoothReply('x', { status: 'failed', retcode: 1403 }))).toMatchObject({
      msg: 'UPSTREAM_REFUSED',
    });
    expect(
      failure(() => smoothReply('x', { status: 'failed', retcode: -1, msg: 'oops' })),
    ).toMatchObject({
      retcode: 100,
      msg: 'API_ERROR',
      wording: 'oops',
    });
  });

  it('keeps go-cqhttp’s own failures as they are', () => {
    expect(
      failure(() =>
        smoothReply('delete_group_file', {
          status: 'failed',
          retcode: 200,
          msg: 'FILE_SYSTEM_DELETE_API_ERROR',
          wording: '删除失败',
        }),
      ),
    ).toMatchObject({ retcode: 200, msg: 'FILE_SYSTEM_DELETE_API_ERROR', wording: '删除失败' });
  });

  it('turns Lagrange’s spec-shaped get_forward_msg into go-cqhttp’s messages', () => {
    const data = smoothReply('get_forward_msg', {
      status: 'ok',
      retcode: 0,
      data: {
        message: [
          {
            type: 'node',
            data: { user_id: '7', nickname: 'n', content: [{ type: 'text', data: { text: 't' } }] },
          },
        ],
      },
    });
    expect(data).toEqual({
      messages: [
        {
          sender: { user_id: 7, nickname: 'n' },
          time: 0,
          content: [{ type: 'text', data: { text: 't' } }],
        },
      ],
    });
  });

  it('tells implementations apart by get_version_info', () => {
    expect(flavorOf({ app_name: 'NapCat.Onebot' })).toBe('napcat');
    expect(flavorOf({ app_name: 'LLOneBot' })).toBe('llonebot');
    expect(flavorOf({ app_name: 'Lagrange.OneBot' })).toBe('lagrange');
    expect(flavorOf({ app_name: 'go-cqhttp' })).toBe('gocq');
    expect(flavorOf({ app_name: 'cqfleet' })).toBe('cqfleet');
  });
});

describe('upstream events', () => {
  /** A frame through the border (frames.ts) and, when it is an event, made the account's. */
  const frame = (e: Record<string, unknown>) => {
    const raw = JSON.stringify(e);
    const parsed = parseUpstreamFrame(raw, 1 << 20);
    return parsed.kind === 'event' ? fromUpstream(30001, parsed.frame, raw) : undefined;
  };

  it('drops the upstream connection’s own meta events', () => {
    expect(frame({ post_type: 'meta_event', meta_event_type: 'heartbeat' })).toBeUndefined();
    expect(frame({ echo: 'x' })).toBeUndefined();
  });

  it('publishes messages in array form with the account’s self_id and a message_seq', () => {
    const out = frame({
      post_type: 'message',
      message_type: 'group',
      self_id: 99,
      message_id: 5,
      group_id: 1,
      user_id: 2,
      message: 'a[CQ:face,id=1]',
    })!;
    expect(out.event).toMatchObject({
      self_id: 30001,
      message: [
        { type: 'text', data: { text: 'a' } },
        { type: 'face', data: { id: '1' } },
      ],
      raw_message: 'a[CQ:face,id=1]',
      message_seq: 5,
    });
  });

  it('gives a private message without a seq its real_id or message_id as one', () => {
    const out = frame({
      post_type: 'message',
      message_type: 'private',
      message_id: 77,
      user_id: 2,
      message: 'hi',
    })!;
    expect(out.event).toMatchObject({ message_seq: 77, raw_message: 'hi' });
  });

  it('passes other events untouched, with a stable id per frame', () => {
    const e = {
      post_type: 'notice',
      notice_type: 'group_msg_emoji_like',
      time: 1_700_000_000,
      likes: [{ emoji_id: '1' }],
    };
    const a = frame(e)!;
    expect(a.event).toEqual({ ...e, self_id: 30001 });
    // Only a missing time is filled in: now.
    const { time: _, ...untimed } = e;
    expect(Math.abs((frame(untimed)!.event.time as number) - Date.now() / 1000)).toBeLessThan(2);
    expect(frame(e)!.id).toBe(a.id);
    expect(frame({ ...e, likes: [] })!.id).not.toBe(a.id);
  });
});

describe('messages in an upstream’s answers', () => {
  const segments = [
    { type: 'text', data: { text: 'hi ' } },
    { type: 'face', data: { id: '14' } },
  ];

  it('are put in the caller’s format wherever they sit, and nothing else is touched', () => {
    const answer = {
      messages: [{ message_id: 1, message: segments, message_format: 'array', time: 5 }],
      nodes: [{ sender: { user_id: 2 }, content: segments }],
      other: { message: 'not a message: no id, sender or raw_message', list: [1, 2] },
    };
    expect(inFormat(answer, 'string')).toEqual({
      messages: [
        { message_id: 1, message: 'hi [CQ:face,id=14]', message_format: 'string', time: 5 },
      ],
      nodes: [{ sender: { user_id: 2 }, content: 'hi [CQ:face,id=14]' }],
      other: answer.other,
    });
    expect(inFormat({ message_id: 3, message: 'hi [CQ:face,id=14]' }, 'array')).toEqual({
      message_id: 3,
      message: segments,
    });
    expect(inFormat([null, 7, 'x'], 'string')).toEqual([null, 7, 'x']);
  });
});

describe('names an upstream knows under another (renames.ts)', () => {
  const history: MessageLookup = {
    find: async (_self, id) => ({ message_type: 'group', group_id: 77, message_id: id }) as never,
    close: () => {},
  };
  const ask = (action: string, params: Record<string, unknown>) =>
    renamed(action, params, { uin: 1, history });

  it('renames the NT-era pairs and moves their parameters', async () => {
    expect(await ask('set_group_file_forever', { group_id: 7, file_id: 'f' })).toEqual({
      action: 'trans_group_file',
      params: { group_id: 7, file_id: 'f' },
    });
    expect(await ask('fetch_ptt_text', { message_id: 3 })).toMatchObject({
      action: 'voice_msg_to_text',
    });
    expect(await ask('voice_msg_to_text', { message_id: 3 })).toMatchObject({
      action: 'fetch_ptt_text',
    });
    expect(await ask('set_group_sign', { group_id: 7 })).toMatchObject({
      action: 'send_group_sign',
    });
    expect(await ask('set_group_kick_members', { group_id: 7, user_id: [1, 2] })).toEqual({
      action: 'batch_delete_group_member',
      params: { group_id: 7, user_ids: [1, 2] },
    });
    expect(await ask('batch_delete_group_member', { group_id: 7, user_ids: [1, 2] })).toEqual({
      action: 'set_group_kick_members',
      params: { group_id: 7, user_id: [1, 2] },
    });
    expect(await ask('unset_msg_emoji_like', { message_id: 5, emoji_id: '76' })).toEqual({
      action: 'set_msg_emoji_like',
      params: { message_id: 5, emoji_id: '76', set: false },
    });
  });

  it('pokes by group or friend, the target before the user', async () => {
    expect(await ask('send_poke', { group_id: 7, user_id: 1, target_id: 2 })).toEqual({
      action: 'group_poke',
      params: { group_id: 7, user_id: 2 },
    });
    expect(await ask('send_poke', { user_id: 1 })).toEqual({
      action: 'friend_poke',
      params: { user_id: 1 },
    });
  });

  it('finds a reaction’s group in history; other names have no second form', async () => {
    expect(await ask('set_msg_emoji_like', { message_id: 9, emoji_id: 76 })).toEqual({
      action: 'set_group_reaction',
      params: { group_id: 77, message_id: 9, code: '76', is_add: true },
    });
    expect(await ask('trans_group_file', { group_id: 7 })).toBeUndefined();
    expect(await renamed('set_group_sign', null, { uin: 1, history })).toBeUndefined();
  });
});
