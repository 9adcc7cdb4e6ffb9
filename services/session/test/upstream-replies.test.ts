/**
 * An upstream's reply is outside input: its outcome is read from `status` and `retcode`
 * together (a failure in either wins), and the results clients and cqfleet build on are held
 * to their shape — a reply that does not fit is API_ERROR, never passed on as ok.
 */
import { describe, expect, it } from 'vitest';
import { parseLoginInfo } from '../src/upstream/frames.js';
import {
  MAX_RESID_CHARS,
  MAX_WORDING_BYTES,
  smoothReply,
  type UpstreamReply,
} from '../src/upstream/smoothing.js';

/** The reply's data, or the failure it was turned into (with the error's own class name). */
function outcome(action: string, reply: UpstreamReply) {
  try {
    return { ok: true, data: smoothReply(action, reply) };
  } catch (err) {
    const e = err as { name: string; retcode: number; msg: string; wording: string };
    return { ok: false, name: e.name, retcode: e.retcode, msg: e.msg, wording: e.wording };
  }
}

const ok = (data: unknown): UpstreamReply => ({ status: 'ok', retcode: 0, data });

describe('the outcome of an upstream reply', () => {
  it('is a failure when status and retcode disagree, whichever says it', () => {
    expect(outcome('send_msg', { status: 'failed', retcode: 0, data: { message_id: 1 } })).toEqual(
      expect.objectContaining({ ok: false, msg: 'API_ERROR' }),
    );
    expect(outcome('get_friend_list', { status: 'ok', retcode: 1404, data: [] })).toEqual(
      expect.objectContaining({ ok: false, msg: 'API_NOT_FOUND', retcode: 404 }),
    );
    expect(outcome('x', { status: 'async', retcode: 1200 })).toMatchObject({ ok: false });
    expect(outcome('x', { status: 'weird', retcode: 0 })).toMatchObject({ ok: false });
  });

  it('is a success when one says so and the other is absent or agrees', () => {
    expect(outcome('x', { status: 'ok', retcode: 0, data: 1 })).toEqual({ ok: true, data: 1 });
    expect(outcome('x', { retcode: 0, data: 2 })).toEqual({ ok: true, data: 2 });
    expect(outcome('x', { status: 'ok', data: 3 })).toEqual({ ok: true, data: 3 });
    expect(outcome('x', { status: 'async', retcode: 1 })).toEqual({ ok: true, data: null });
    expect(outcome('x', { retcode: '0', data: 4 })).toEqual({ ok: true, data: 4 });
  });

  it('is a failure when it says nothing, and never throws on a retcode that is no number', () => {
    expect(outcome('x', {})).toMatchObject({ ok: false, msg: 'API_ERROR' });
    for (const retcode of [{ toString: 1 }, 'abc', 1.5, [0], Number.NaN])
      expect(outcome('x', { status: 'ok', retcode })).toMatchObject({
        ok: false,
        name: 'OneBotError',
        msg: 'API_ERROR',
      });
  });
});

describe('what a failure carries to the client', () => {
  it('at most MAX_WORDING_BYTES of the upstream wording, and a tag only when it is one', () => {
    const long = outcome('send_msg', {
      status: 'failed',
      retcode: 100,
      msg: 'GROUP_NOT_FOUND',
      wording: '群'.repeat(5_000_000),
    });
    expect(long).toMatchObject({ ok: false, msg: 'GROUP_NOT_FOUND', retcode: 100 });
    expect((long as { wording: string }).wording).toBe('群'.repeat(MAX_WORDING_BYTES / 3));
    // Cut as all upstream text is (clipText): never inside a character, a surrogate pair whole.
    for (let pad = 0; pad < 4; pad++) {
      const { wording } = outcome('x', {
        status: 'failed',
        retcode: 1200,
        wording: 'a'.repeat(pad) + '😀'.repeat(MAX_WORDING_BYTES),
      }) as { wording: string };
      // A lone surrogate does not survive UTF-8.
      expect(Buffer.from(wording).toString(), `pad ${pad}`).toBe(wording);
      expect(Buffer.byteLength(wording)).toBeLessThanOrEqual(MAX_WORDING_BYTES);
      expect(Buffer.byteLength(wording)).toBeGreaterThan(MAX_WORDING_BYTES - 4);
    }
    // A "tag" of a megabyte is no tag: the failure is API_ERROR.
    expect(
      outcome('send_msg', { status: 'failed', retcode: 100, msg: 'E'.repeat(1_000_000) }),
    ).toMatchObject({ ok: false, msg: 'API_ERROR' });
  });
});

describe('the shape of a reply', () => {
  const sends = [
    'send_msg',
    'send_group_msg',
    'send_private_msg',
    'send_forward_msg',
    'send_group_forward_msg',
    'send_private_forward_msg',
  ];

  it('refuses a send whose message_id is not an int32', () => {
    const bad = [
      { message_id: 'abc' },
      { message_id: null },
      { message_id: 2 ** 40 },
      { message_id: 1.5 },
      { message_id: { toString: 1 } },
      {},
      null,
      [],
      'x',
    ];
    for (const action of sends)
      for (const data of bad) {
        // A plain string is Lagrange's send_forward_msg answer (its resid): see below.
        if (action === 'send_forward_msg' && data === 'x') continue;
        expect(outcome(action, ok(data)), `${action} ${JSON.stringify(data)}`).toMatchObject({
          ok: false,
          name: 'OneBotError',
          retcode: 100,
          msg: 'API_ERROR',
        });
      }
  });

  it('passes each implementation’s send_forward_msg answer, Lagrange’s bare resid included', () => {
    // go-cqhttp and LLOneBot.
    expect(outcome('send_forward_msg', ok({ message_id: 12, forward_id: 'Rz9' }))).toEqual({
      ok: true,
      data: { message_id: 12, forward_id: 'Rz9' },
    });
    // NapCat.
    const napcat = { message_id: -77, res_id: 'Rz9', forward_id: 'Rz9' };
    expect(outcome('send_forward_msg', ok(napcat))).toEqual({ ok: true, data: napcat });
    // Lagrange.OneBot: the forward is uploaded, `data` is its resid.
    const resid = 'uP1Vq3AbYQ0/kL+8r2vzMw1Xy6fT9hC4dE5gH7iJ2kN0pR8sU3wA';
    expect(outcome('send_forward_msg', ok(resid))).toEqual({ ok: true, data: resid });
    // Only there: the other sends answer a message id.
    for (const action of ['send_group_forward_msg', 'send_private_forward_msg', 'send_msg'])
      expect(outcome(action, ok(resid)), action).toMatchObject({ ok: false, msg: 'API_ERROR' });
    // An empty string, or one no resid is as long as, is no resid.
    for (const data of ['', 'r'.repeat(MAX_RESID_CHARS + 1)])
      expect(outcome('send_forward_msg', ok(data))).toMatchObject({ ok: false, msg: 'API_ERROR' });
    expect(outcome('send_forward_msg', ok('r'.repeat(MAX_RESID_CHARS)))).toMatchObject({
      ok: true,
    });
  });

  it('passes a send’s int32 message_id, a decimal string as its number, extra fields kept', () => {
    expect(outcome('send_group_msg', ok({ message_id: -2147483648 }))).toEqual({
      ok: true,
      data: { message_id: -2147483648 },
    });
    expect(outcome('send_msg', ok({ message_id: '2147483647', res_id: 'r' }))).toEqual({
      ok: true,
      data: { message_id: 2147483647, res_id: 'r' },
    });
    expect(outcome('send_msg', ok({ message_id: 2147483648 }))).toMatchObject({ ok: false });
  });

  it('holds get_login_info to a user id and a nickname', () => {
    expect(outcome('get_login_info', ok({ user_id: '10001', nickname: 'n', extra: 1 }))).toEqual({
      ok: true,
      data: { user_id: 10001, nickname: 'n', extra: 1 },
    });
    expect(outcome('get_login_info', ok({ user_id: 10001 }))).toEqual({
      ok: true,
      data: { user_id: 10001, nickname: '' },
    });
    // The nickname is read as parseLoginInfo reads it: what it makes '' is never refused.
    for (const nickname of [null, 42, {}, ['n'], true])
      expect(outcome('get_login_info', ok({ user_id: 10001, nickname })), String(nickname)).toEqual(
        { ok: true, data: { user_id: 10001, nickname: '' } },
      );
    expect(outcome('get_login_info', ok({ user_id: 1, nickname: '名'.repeat(1000) }))).toEqual({
      ok: true,
      data: {
        user_id: 1,
        nickname: parseLoginInfo({ user_id: 1, nickname: '名'.repeat(1000) }).nickname,
      },
    });
    // Without the account's number it is no login answer.
    for (const data of [null, {}, { user_id: { toString: 1 } }, { nickname: 'n' }])
      expect(outcome('get_login_info', ok(data))).toMatchObject({ ok: false, msg: 'API_ERROR' });
  });

  it('holds the lists to arrays of objects with their ids', () => {
    for (const action of [
      'get_friend_list',
      'get_group_list',
      'get_group_member_list',
      'get_unidirectional_friend_list',
      'get_group_shut_list',
      'get_essence_msg_list',
      'get_guild_list',
      'get_guild_channel_list',
    ])
      for (const data of [null, {}, 'x', [null], [1], [[]]])
        expect(outcome(action, ok(data)), `${action} ${JSON.stringify(data)}`).toMatchObject({
          ok: false,
          msg: 'API_ERROR',
        });
    expect(outcome('get_friend_list', ok([{ user_id: 'abc', nickname: 'n' }]))).toMatchObject({
      ok: false,
    });
    expect(outcome('get_group_list', ok([{ group_name: 'no id' }]))).toMatchObject({ ok: false });
    expect(
      outcome('get_group_member_list', ok([{ group_id: 1, user_id: '2', card: 'c', napcat: 1 }])),
    ).toEqual({ ok: true, data: [{ group_id: 1, user_id: 2, card: 'c', napcat: 1 }] });
    expect(outcome('get_friend_list', ok([]))).toEqual({ ok: true, data: [] });
  });

  it('leaves actions without a fixed shape as they come', () => {
    expect(outcome('napcat_own_action', ok({ anything: [1] }))).toEqual({
      ok: true,
      data: { anything: [1] },
    });
    expect(outcome('send_msg_async', { status: 'async', retcode: 1, data: null })).toEqual({
      ok: true,
      data: null,
    });
  });
});

describe('Lagrange’s spec-shaped get_forward_msg', () => {
  it('drops nodes that are not nodes instead of throwing', () => {
    const text = [{ type: 'text', data: { text: 't' } }];
    const result = outcome(
      'get_forward_msg',
      ok({
        message: [
          null,
          7,
          { type: 'node' },
          { type: 'node', data: { user_id: { toString: 1 }, content: text } },
          { type: 'node', data: { user_id: 'abc', content: text } },
          { type: 'node', data: { uin: '8', name: { toString: 1 }, time: {}, content: text } },
        ],
      }),
    );
    expect(result).toEqual({
      ok: true,
      data: {
        messages: [{ sender: { user_id: 8, nickname: '' }, time: 0, content: text }],
      },
    });
  });
});
