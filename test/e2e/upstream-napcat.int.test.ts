/**
 * An upstream that behaves like NapCat where NapCat differs from go-cqhttp (issue 9, point 5;
 * reference onebot11-and-peers.md §1.7, §2): WebSocket failures as retcode 1200 / 1400 with
 * `message` and `wording`, `get_forward_msg` as `messages`, string-format message events,
 * notice types go-cqhttp never had, its own extension actions (answers with messages in the
 * caller's format), OCR that fails off Windows (cqfleet reads the image itself), group history
 * pages read through it. The scripted upstream (scripted-napcat.ts) is a plain `ws` server; it
 * can drop the connection to show reconnecting.
 */
import {
  type FileServer,
  ocrFixture,
  OneBotHttp,
  OneBotWs,
  Receiver,
  registerAccounts,
  startFileServer,
  startTestCluster,
  type TestCluster,
  untilOnline,
  waitFor,
} from '@cqfleet/testkit';
import { GROUP, QUIET_GROUP, ScriptedNapCat, TOKEN, UIN } from './scripted-napcat.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Serves the image of a received message (its `url`). */
let files: FileServer;
const napcat = new ScriptedNapCat();
/** What the scripted NapCat was asked. */
const received = napcat.received;
const push = (event: Record<string, unknown>) => napcat.push(event);
let front: TestCluster;
let api: OneBotHttp;
/** An HTTP POST receiver of the account's events, in array format. */
const receiver = new Receiver();

beforeAll(async () => {
  const { url } = await napcat.start();
  files = await startFileServer({ '/ocr.png': ocrFixture('upstream').png });
  await receiver.start();
  front = await startTestCluster({ accounts: [] });
  await registerAccounts(front.options.namespace, [
    {
      uin: UIN,
      driver: 'onebot',
      options: { url, token: TOKEN },
      endpoints: { http_post: [{ url: receiver.url, message_format: 'array' }] },
    },
  ]);
  await untilOnline(front.httpUrl, UIN, 20_000);
  api = new OneBotHttp(`${front.httpUrl}/${UIN}`);
}, 60_000);

afterAll(async () => {
  await front?.stop();
  napcat.close();
  await receiver.stop();
  await files?.close();
});

describe('a NapCat-like upstream', () => {
  it('answers in go-cqhttp’s envelope whatever NapCat’s retcodes', async () => {
    expect(await api.call('send_group_msg', { group_id: GROUP, message: 'hi' })).toMatchObject({
      status: 'ok',
      retcode: 0,
      data: { message_id: 987654 },
    });
    expect(await api.call('set_group_kick', { group_id: GROUP, user_id: 5 })).toMatchObject({
      status: 'failed',
      retcode: 100,
      msg: 'API_ERROR',
      wording: '踢人失败: 权限不足',
    });
    expect(await api.call('get_group_info', { group_id: 999 })).toMatchObject({
      status: 'failed',
      retcode: 100,
      msg: 'INVALID_PARAMS',
    });
  });

  it('forwards NT-era names and the upstream’s own actions, which cqfleet’s table does not have', async () => {
    // NapCat's "typing…" indicator: in cqfleet's table for native accounts, still NapCat's to do.
    const r = await api.call('set_input_status', { user_id: '20001', event_type: 1 });
    expect(r).toMatchObject({ status: 'ok', data: { result: 0 } });
    expect(received.at(-1)).toEqual({
      action: 'set_input_status',
      params: { user_id: 20001, event_type: 1 },
    });
    // A NapCat-only action cqfleet has no entry for: passed on as it came.
    const status = await api.call('nc_get_user_status', { user_id: '20001' });
    expect(status).toMatchObject({ status: 'ok', data: { status: 10 } });
    expect(received.at(-1)).toEqual({
      action: 'nc_get_user_status',
      params: { user_id: '20001' },
    });
    // A quick operation is carried out by cqfleet the go-cqhttp way (no quote, no @ unless
    // asked), as plain actions upstream — NapCat's own would quote the message.
    await api.ok('.handle_quick_operation', {
      context: { post_type: 'message', message_type: 'group', group_id: GROUP, user_id: 20001 },
      operation: { reply: 'quick reply' },
    });
    expect(received.at(-1)).toEqual({
      action: 'send_group_msg',
      params: expect.objectContaining({
        group_id: GROUP,
        message: [{ type: 'text', data: { text: 'quick reply' } }],
      }),
    });
    // An action neither knows: the upstream's 1404 becomes go-cqhttp's 404.
    expect(await api.call('no_such_action_anywhere')).toMatchObject({
      status: 'failed',
      retcode: 404,
      msg: 'API_NOT_FOUND',
    });
  });

  it('takes string-format messages and NapCat’s own notices in, and history stores the messages', async () => {
    // An HTTP POST endpoint starts with the events after its delivery began (a moment after
    // the account was registered): probe until it is running.
    await waitFor(async () => {
      push({ post_type: 'notice', notice_type: 'probe' });
      await new Promise(r => setTimeout(r, 200));
      return receiver.received.some(r => r.json.notice_type === 'probe') ? true : undefined;
    }, 15_000);
    const ws = await OneBotWs.connect(`${front.wsUrl}/${UIN}/`);
    try {
      push({
        post_type: 'message',
        message_type: 'group',
        sub_type: 'normal',
        message_id: 4242,
        message_seq: 4242,
        group_id: GROUP,
        user_id: 20001,
        message: 'from napcat [CQ:face,id=14]',
        raw_message: 'from napcat [CQ:face,id=14]',
        font: 14,
        sender: { user_id: 20001, nickname: 'someone', card: '', role: 'member' },
        message_format: 'string',
      });
      push({
        post_type: 'notice',
        notice_type: 'group_msg_emoji_like',
        group_id: GROUP,
        user_id: 20001,
        message_id: 4242,
        likes: [{ emoji_id: '76', count: 1 }],
        is_add: true,
      });
      const message = await ws.waitForEvent(
        e => e.post_type === 'message' && e.message_id === 4242,
        10_000,
      );
      expect(message.raw_message).toBe('from napcat [CQ:face,id=14]');
      const notice = await ws.waitForEvent(e => e.notice_type === 'group_msg_emoji_like', 10_000);
      // Every transport, each in its endpoint's format: HTTP POST here asked for arrays.
      const posted = await waitFor(
        async () =>
          receiver.received.find(r => r.json.post_type === 'message')?.json as
            { message: unknown } | undefined,
        10_000,
      );
      expect(posted.message).toEqual([
        { type: 'text', data: { text: 'from napcat ' } },
        { type: 'face', data: { id: '14' } },
      ]);
      expect(notice).toMatchObject({ likes: [{ emoji_id: '76', count: 1 }], is_add: true });
      const stored = await waitFor(async () => {
        const r = await api.call<{ message: unknown }>('get_msg', { message_id: 4242 });
        return r.status === 'ok' ? r.data : undefined;
      }, 10_000);
      expect(stored).toMatchObject({ message_id: 4242, message: 'from napcat [CQ:face,id=14]' });
    } finally {
      await ws.close();
    }
  });

  it('answers get_msg for a message the upstream never reported by asking it, once', async () => {
    const r = await api.ok<{ message: unknown; message_id: number; sender: { user_id: number } }>(
      'get_msg',
      { message_id: 555 },
    );
    expect(r).toMatchObject({ message_id: 555, message: 'sent, not reported' });
    expect(r.sender.user_id).toBe(UIN);
    const asked = received.filter(x => x.action === 'get_msg').length;
    expect(asked).toBe(1);
    // Stored now: the second look-up does not go upstream.
    await api.ok('get_msg', { message_id: 555 });
    expect(received.filter(x => x.action === 'get_msg').length).toBe(asked);
    expect(await api.call('get_msg', { message_id: 556 })).toMatchObject({
      status: 'failed',
      msg: 'MSG_NOT_FOUND',
    });
  });

  it('answers get_forward_msg from the upstream through cqfleet’s history', async () => {
    const r = await api.ok<{ messages: Array<{ content: unknown; sender: unknown }> }>(
      'get_forward_msg',
      { id: 'nc-resid-1' },
    );
    expect(r.messages).toHaveLength(1);
    expect(r.messages[0]).toMatchObject({ sender: { user_id: 1, nickname: 'a' } });
    expect(JSON.stringify(r.messages[0]!.content)).toContain('node one');
    expect(received.some(x => x.action === 'get_forward_msg')).toBe(true);
  });

  it('gives the upstream’s own answers with messages in the caller’s format', async () => {
    // NapCat answers in arrays; this HTTP endpoint's format is go-cqhttp's default, string.
    const r = await api.ok<Array<{ lastestMsg: { message: unknown; message_format: string } }>>(
      'get_recent_contact',
      { count: 10 },
    );
    expect(r[0]!.lastestMsg).toMatchObject({
      message: 'old 77[CQ:face,id=14]',
      message_format: 'string',
    });
  });

  it('reads a group history page it has not seen through the upstream, once', async () => {
    const page = await api.ok<{ messages: Array<{ message_seq: number; message: unknown }> }>(
      'get_group_msg_history',
      { group_id: QUIET_GROUP, message_seq: 30 },
    );
    // go-cqhttp's page: 19 messages ending at the seq asked for (reference: go-cqhttp-behaviour).
    // NapCat's own ids, not ones derived from the seq as go-cqhttp's are.
    expect(page.messages.at(-1)).toMatchObject({
      message_id: 900030,
      message_seq: 30,
      message: 'old 30[CQ:face,id=14]',
    });
    expect(page.messages.map(m => m.message_seq)).toEqual(
      [...Array(page.messages.length).keys()].map(i => 31 - page.messages.length + i),
    );
    const asked = received.filter(x => x.action === 'get_group_msg_history').length;
    expect(asked).toBe(1);
    // Stored now: the same page and its messages come from cqfleet's history.
    await api.ok('get_group_msg_history', { group_id: QUIET_GROUP, message_seq: 30 });
    expect(await api.ok('get_msg', { message_id: 900025 })).toMatchObject({ message_seq: 25 });
    expect(received.filter(x => x.action === 'get_group_msg_history').length).toBe(asked);
  });

  it('reads an image itself when the upstream’s OCR fails, by the file name its event gave', async () => {
    push({
      post_type: 'message',
      message_type: 'group',
      sub_type: 'normal',
      message_id: 4343,
      message_seq: 4343,
      group_id: GROUP,
      user_id: 20001,
      message: [
        {
          type: 'image',
          data: { file: 'E3B0C44298FC1C14.png', url: files.url('/ocr.png'), file_size: '5000' },
        },
      ],
      sender: { user_id: 20001, nickname: 'someone' },
    });
    const res = await waitFor(async () => {
      const r = await api.call<{ texts: Array<{ text: string }> }>('ocr_image', {
        image: 'E3B0C44298FC1C14.png',
      });
      return r.status === 'ok' ? r.data : undefined;
    }, 30_000);
    expect(res.texts.map(t => t.text).join(' ')).toContain('OCR 2026');
    expect(received.some(x => x.action === 'ocr_image')).toBe(true);
    // Word slices (no NapCat has them) come from cqfleet's media workers, never asked upstream.
    const slices = await api.ok<{ slices: string[] }>('.get_word_slices', {
      content: '今天天气很好',
    });
    expect(slices.slices.length).toBeGreaterThan(1);
    expect(received.some(x => x.action === '.get_word_slices')).toBe(false);
    // An image no event named: the upstream's failure, not cqfleet's.
    expect(await api.call('ocr_image', { image: 'NEVER_SEEN.png' })).toMatchObject({
      status: 'failed',
      msg: 'API_ERROR',
      wording: '当前平台不支持OCR',
    });
  }, 60_000);

  it('goes offline when the upstream drops the connection and comes back by itself', async () => {
    napcat.drop();
    const down = await waitFor(async () => {
      const s = await api.ok<{ online: boolean; stat: { disconnect_times: number } }>('get_status');
      return s.online ? undefined : s;
    }, 10_000);
    expect(down.stat.disconnect_times).toBeGreaterThanOrEqual(1);
    await untilOnline(front.httpUrl, UIN, 15_000);
    expect((await api.ok<{ online: boolean }>('get_status')).online).toBe(true);
  });
});
