/**
 * Conformance: the NT-era message actions (reactions, pokes, forwarding one message, what a
 * voice says) through the gateway, in NapCat's and LLOneBot's shapes, on the same world as
 * messages.int.test.ts (messages-support.ts).
 */
import { expectEvent, expectFailure, expectOk, type OneBotWs } from '@cqfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alpha, beta, close, sim, startMessageWorld, wsA, wsB } from './messages-support.js';

const seg = (type: string, data: Record<string, unknown> = {}) => ({ type, data });

beforeAll(() => startMessageWorld());

afterAll(() => close?.());

describe('NT-era messages', () => {
  it('reactions: added and removed with the count after, listed by fetch_emoji_like and get_emoji_likes', async () => {
    const said = await sim.sendGroupMsg(20002, 100100, 'react here');
    await expectEvent(wsA, 'message.group.normal', e => e.message_id === said.message_id);
    const id = said.message_id;
    const like = (ws: OneBotWs, user: number, isAdd: boolean, count: number, emoji = '76') =>
      expectEvent(
        ws,
        'notice.group_msg_emoji_like',
        e =>
          e.message_id === id &&
          e.user_id === user &&
          e.is_add === isAdd &&
          JSON.stringify(e.likes) === JSON.stringify([{ emoji_id: emoji, count }]),
      );
    const nt = { result: 0, errMsg: '' };
    expect(await expectOk(alpha, 'set_msg_emoji_like', { message_id: id, emoji_id: '76' })).toEqual(
      nt,
    );
    await like(wsB, 10001, true, 1);
    await sim.act(20001, 'react', { group_id: 100100, seq: said.seq, emoji_id: '76', set: true });
    await like(wsA, 20001, true, 2);
    await expectOk(beta, 'set_msg_emoji_like', { message_id: id, emoji_id: 76 });
    await like(wsA, 10002, true, 3);
    type Page = { emojiLikesList: Array<{ tinyId: string; nickName: string }>; cookie: string };
    const first = await expectOk<Page>(alpha, 'fetch_emoji_like', {
      message_id: id,
      emojiId: '76',
      emojiType: '1',
      count: 2,
    });
    expect(first).toMatchObject({ isFirstPage: true, isLastPage: false, cookie: '2', result: 0 });
    expect(first.emojiLikesList.map(l => l.tinyId)).toEqual(['10001', '20001']);
    expect(first.emojiLikesList[1]!.nickName).toBe('Alice');
    const rest = await expectOk<Page>(alpha, 'fetch_emoji_like', {
      message_id: id,
      emojiId: '76',
      emojiType: '1',
      cookie: first.cookie,
    });
    expect(rest).toMatchObject({ isFirstPage: false, isLastPage: true, cookie: '' });
    expect(rest.emojiLikesList.map(l => l.tinyId)).toEqual(['10002']);
    expect(
      await expectOk(alpha, 'unset_msg_emoji_like', { message_id: id, emoji_id: '76' }),
    ).toEqual(nt);
    await like(wsB, 10001, false, 2);
    await expectOk(beta, 'set_msg_emoji_like', { message_id: id, emoji_id: '76', set: false });
    await like(wsA, 10002, false, 1);
    const likes = await expectOk(beta, 'get_emoji_likes', { message_id: id, emoji_id: '76' });
    expect(likes).toEqual({ emoji_like_list: [{ user_id: '20001', nick_name: 'Alice' }] });
    // Removing a reaction that is not there changes nothing and tells nobody: the next change
    // is the next event beta sees.
    await expectOk(alpha, 'unset_msg_emoji_like', { message_id: id, emoji_id: '76' });
    await expectOk(alpha, 'set_msg_emoji_like', { message_id: id, emoji_id: '66' });
    await like(wsB, 10001, true, 1, '66');
    const removedByAlpha = wsB.events.filter(
      e =>
        e.notice_type === 'group_msg_emoji_like' &&
        e.message_id === id &&
        e.user_id === 10001 &&
        e.is_add === false,
    );
    expect(removedByAlpha).toHaveLength(1);
    await expectFailure(
      alpha,
      'get_emoji_likes',
      { message_id: id, emoji_id: '76', group_id: 100200 },
      'MESSAGE_NOT_FOUND',
    );
  });

  it('send_poke: a friend, or a member of a group by target_id', async () => {
    expect(await expectOk(alpha, 'send_poke', { user_id: 10002 })).toBeNull();
    await expectEvent(
      wsB,
      'notice.notify.poke',
      e => e.group_id === undefined && e.sender_id === 10001 && e.target_id === 10002,
    );
    await expectOk(alpha, 'send_poke', { group_id: 100100, user_id: 20001, target_id: 10002 });
    await expectEvent(
      wsB,
      'notice.notify.poke',
      e => e.group_id === 100100 && e.sender_id === 10001 && e.target_id === 10002,
    );
    await expectFailure(alpha, 'send_poke', { user_id: 20004 }, 'FRIEND_NOT_FOUND');
  });

  it('forward_friend_single_msg / forward_group_single_msg send a copy as the account’s own', async () => {
    const said = await sim.sendGroupMsg(20003, 100100, [
      seg('text', { text: 'forward me ' }),
      seg('face', { id: 14 }),
    ]);
    await expectEvent(wsA, 'message.group.normal', e => e.message_id === said.message_id);
    expect(
      await expectOk(alpha, 'forward_friend_single_msg', {
        message_id: said.message_id,
        user_id: 10002,
      }),
    ).toBeNull();
    const copy = await expectEvent(
      wsB,
      'message.private.friend',
      e => e.user_id === 10001 && e.raw_message === 'forward me [CQ:face,id=14]',
    );
    await expectEvent(wsA, 'message_sent.private.friend', e => e.message_id === copy.message_id);
    // Beta forwards what it got into the group: alpha sees it from beta.
    await expectOk(beta, 'forward_group_single_msg', {
      message_id: copy.message_id,
      group_id: 100100,
    });
    const inGroup = await expectEvent(
      wsA,
      'message.group.normal',
      e => e.user_id === 10002 && e.raw_message === 'forward me [CQ:face,id=14]',
    );
    expect(await expectOk(beta, 'get_msg', { message_id: inGroup.message_id })).toMatchObject({
      sender: { user_id: 10002 },
    });
    await expectFailure(
      alpha,
      'forward_group_single_msg',
      { message_id: said.message_id, group_id: 100200 },
      'GROUP_NOT_FOUND',
    );
    await expectFailure(
      alpha,
      'forward_friend_single_msg',
      { message_id: 5, user_id: 10002 },
      'MSG_NOT_FOUND',
    );
  });

  it('voice_msg_to_text / fetch_ptt_text: what the voice says', async () => {
    const said = await sim.sendGroupMsg(20001, 100100, [
      seg('record', { file: 'http://voices.invalid/meeting.amr', text: '明天下午三点开会' }),
    ]);
    await expectEvent(wsB, 'message.group.normal', e => e.message_id === said.message_id);
    for (const [bot, name] of [
      [alpha, 'voice_msg_to_text'],
      [beta, 'fetch_ptt_text'],
    ] as const)
      expect(await expectOk(bot, name, { message_id: said.message_id })).toEqual({
        text: '明天下午三点开会',
      });
    const tts = await expectOk<{ message_id: number }>(alpha, 'send_group_msg', {
      group_id: 100100,
      message: '[CQ:tts,text=你好世界]',
    });
    await expectEvent(wsB, 'message.group.normal', e => e.message_id === tts.message_id);
    expect(await expectOk(beta, 'fetch_ptt_text', { message_id: tts.message_id })).toEqual({
      text: '你好世界',
    });
    // Voices nobody gave a text read as words derived from the voice: the same for the same voice.
    const texts: string[] = [];
    for (const file of ['http://voices.invalid/a.amr', 'http://voices.invalid/b.amr']) {
      const v = await sim.sendPrivateMsg(20001, 10001, [seg('record', { file })]);
      await expectEvent(wsA, 'message.private.friend', e => e.message_id === v.message_id);
      const { text } = await expectOk<{ text: string }>(alpha, 'voice_msg_to_text', {
        message_id: v.message_id,
      });
      expect(await expectOk(alpha, 'fetch_ptt_text', { message_id: v.message_id })).toEqual({
        text,
      });
      texts.push(text);
    }
    expect(texts[0]).not.toBe(texts[1]);
    expect(texts[0]!.length).toBeGreaterThan(0);
    await expectFailure(alpha, 'voice_msg_to_text', { message_id: 1 }, 'MSG_NOT_FOUND');
    const plain = await expectOk<{ message_id: number }>(alpha, 'send_group_msg', {
      group_id: 100100,
      message: 'no voice here',
    });
    await expectFailure(
      alpha,
      'voice_msg_to_text',
      { message_id: plain.message_id },
      'RECORD_CONVERT_ERROR',
    );
  });
});
