/**
 * Conformance: message actions, segments and message events through the gateway, checked
 * against go-cqhttp's shapes (action table result schemas, event catalogue). This cluster
 * reports the accounts' own messages and uses the array format.
 */
import type { EventFrame } from '@cqfleet/testkit';
import { messageId } from '@cqfleet/onebot';
import {
  expectEvent,
  expectFailure,
  expectOk,
  type FileServer,
  startFileServer,
} from '@cqfleet/testkit';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alpha, beta, close, sim, startMessageWorld, wsA, wsB } from './messages-support.js';

let files: FileServer;
let jpegB64: string;

const PNG =
  'base64://iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
const seg = (type: string, data: Record<string, unknown> = {}) => ({ type, data });
const texts = (e: EventFrame) => e.message as Array<{ type: string; data: Record<string, string> }>;

beforeAll(async () => {
  await startMessageWorld();
  const jpeg = await sharp({
    create: { width: 8, height: 8, channels: 3, background: '#36c' },
  })
    .jpeg()
    .toBuffer();
  jpegB64 = `base64://${jpeg.toString('base64')}`;
  // A video only has to look like an MP4 container (an `ftyp` box first).
  const mp4 = Buffer.concat([Buffer.from('000000186674797069736f6d', 'hex'), Buffer.alloc(512)]);
  files = await startFileServer({
    '/a.jpg': jpeg,
    '/c.jpg': jpeg,
    '/a.mp3': Buffer.from('ID3 pretend audio'),
    '/v.mp4': mp4,
  });
});

afterAll(async () => {
  await close?.();
  await files?.close();
});

describe('sending', () => {
  it('send_group_msg: the other account gets message/group/normal, the sender message_sent', async () => {
    const { message_id } = await expectOk<{ message_id: number }>(alpha, 'send_group_msg', {
      group_id: 100100,
      message: 'hello group',
    });
    const got = await expectEvent(wsB, 'message.group.normal', e => e.message_id === message_id);
    expect(got).toMatchObject({
      group_id: 100100,
      user_id: 10001,
      raw_message: 'hello group',
      message: [seg('text', { text: 'hello group' })],
      sender: { role: 'owner', nickname: 'Fleet Alpha' },
    });
    const own = await expectEvent(
      wsA,
      'message_sent.group.normal',
      e => e.message_id === message_id,
    );
    expect(own).toMatchObject({ self_id: 10001, user_id: 10001 });
  });

  it('send_private_msg: a friend gets message/private/friend', async () => {
    const { message_id } = await expectOk<{ message_id: number }>(alpha, 'send_private_msg', {
      user_id: 10002,
      message: 'hi beta',
    });
    const got = await expectEvent(wsB, 'message.private.friend', e => e.message_id === message_id);
    expect(got).toMatchObject({
      user_id: 10001,
      target_id: 10002,
      sender: { user_id: 10001, nickname: 'Fleet Alpha' },
    });
    await expectEvent(wsA, 'message_sent.private.friend', e => e.message_id === message_id);
  });

  it('temporary sessions: send with group_id; receive message/private/group with temp_source', async () => {
    await expectFailure(
      alpha,
      'send_private_msg',
      { user_id: 20004, message: 'x' },
      'SEND_MSG_API_ERROR',
    );
    await expectOk(alpha, 'send_private_msg', {
      user_id: 20004,
      group_id: 100100,
      message: 'temp hello',
    });
    const said = await sim.sendPrivateMsg(20005, 10002, 'temp to beta', 100100);
    const got = await expectEvent(
      wsB,
      'message.private.group',
      e => e.message_id === said.message_id,
    );
    expect(got).toMatchObject({
      temp_source: 100100,
      user_id: 20005,
      sender: { group_id: 100100 },
    });
  });

  it('send_msg dispatches by message_type, then user_id, then group_id', async () => {
    for (const params of [
      { message_type: 'group', group_id: 100100, user_id: 10002 },
      { message_type: 'private', user_id: 10002, group_id: 100100 },
      { user_id: 10002, group_id: 100100 },
      { group_id: 100100 },
    ]) {
      const { message_id } = await expectOk<{ message_id: number }>(alpha, 'send_msg', {
        ...params,
        message: 'dispatch',
      });
      const key =
        params.message_type === 'group' || (!params.message_type && !params.user_id)
          ? 'message.group.normal'
          : 'message.private.friend';
      await expectEvent(wsB, key, e => e.message_id === message_id);
    }
    await expectFailure(alpha, 'send_msg', { message: 'nowhere' }, 'INVALID_PARAMS');
  });

  it('failures: empty message, unknown group', async () => {
    await expectFailure(
      alpha,
      'send_group_msg',
      { group_id: 100100, message: '' },
      'EMPTY_MSG_ERROR',
    );
    await expectFailure(
      alpha,
      'send_group_msg',
      { group_id: 100200, message: 'x' },
      'GROUP_NOT_FOUND',
    );
  });
});

describe('reading and managing', () => {
  it('get_msg by message_id or id, in the endpoint format', async () => {
    const { message_id } = await expectOk<{ message_id: number }>(alpha, 'send_group_msg', {
      group_id: 100100,
      message: [seg('text', { text: 'keep me' }), seg('face', { id: 14 })],
    });
    const got = await expectOk<Record<string, unknown>>(alpha, 'get_msg', { id: message_id });
    expect(got).toMatchObject({
      message_id,
      message_type: 'group',
      group: true,
      group_id: 100100,
      sender: { user_id: 10001 },
      message: [seg('text', { text: 'keep me' }), seg('face', { id: '14' })],
    });
    expect(got.real_id).toBe(got.message_seq);
    await expectFailure(alpha, 'get_msg', { message_id: 1 }, 'MSG_NOT_FOUND');
  });

  it('delete_msg: own messages are recalled (group_recall / friend_recall); friends’ cannot be', async () => {
    const g = await expectOk<{ message_id: number }>(alpha, 'send_group_msg', {
      group_id: 100100,
      message: 'regret',
    });
    await expectOk(alpha, 'delete_msg', { message_id: g.message_id });
    const recall = await expectEvent(
      wsB,
      'notice.group_recall',
      e => e.message_id === g.message_id,
    );
    expect(recall).toMatchObject({ group_id: 100100, user_id: 10001, operator_id: 10001 });
    const p = await expectOk<{ message_id: number }>(alpha, 'send_private_msg', {
      user_id: 10002,
      message: 'oops',
    });
    await expectOk(alpha, 'delete_msg', { message_id: p.message_id });
    await expectEvent(
      wsB,
      'notice.friend_recall',
      e => e.message_id === p.message_id && e.user_id === 10001,
    );
    const incoming = await sim.sendPrivateMsg(20001, 10001, 'from alice');
    await expectEvent(wsA, 'message.private.friend', e => e.message_id === incoming.message_id);
    await expectFailure(
      alpha,
      'delete_msg',
      { message_id: incoming.message_id },
      'CANNOT_RECALL_FRIEND_MSG',
    );
    await expectFailure(alpha, 'delete_msg', { message_id: 7 }, 'MESSAGE_NOT_FOUND');
  });

  it('people recall too: group_recall with the operator, friend_recall', async () => {
    const said = await sim.sendGroupMsg(20003, 100100, 'carol says');
    await expectEvent(wsA, 'message.group.normal', e => e.message_id === said.message_id);
    await sim.act(20001, 'recall', { group_id: 100100, seq: said.seq, sender_id: 20003 });
    await expectEvent(
      wsA,
      'notice.group_recall',
      e => e.message_id === said.message_id && e.operator_id === 20001 && e.user_id === 20003,
    );
    const p = await sim.sendPrivateMsg(20001, 10002, 'take back');
    await sim.act(20001, 'recall', { user_id: 10002, seq: p.seq, sender_id: 20001 });
    await expectEvent(wsB, 'notice.friend_recall', e => e.message_id === p.message_id);
  });

  it('get_group_msg_history returns message events, oldest first', async () => {
    const { messages } = await expectOk<{ messages: Array<{ message_seq: number }> }>(
      beta,
      'get_group_msg_history',
      { group_id: 100100 },
    );
    expect(messages.length).toBeGreaterThan(2);
    expect(messages.length).toBeLessThanOrEqual(20);
    const seqs = messages.map(m => m.message_seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    // NapCat's count and reverse_order (reverseOrder, node-napcat-ts's name, too).
    const top = seqs.at(-2)!;
    type Page = { messages: Array<{ message_seq: number }> };
    const three = await expectOk<Page>(beta, 'get_group_msg_history', {
      group_id: 100100,
      message_seq: top,
      count: 3,
    });
    expect(three.messages.map(m => m.message_seq)).toEqual(seqs.filter(q => q <= top).slice(-3));
    for (const flag of ['reverse_order', 'reverseOrder']) {
      const newest = await expectOk<Page>(beta, 'get_group_msg_history', {
        group_id: 100100,
        message_seq: top,
        count: 3,
        [flag]: true,
      });
      expect(newest.messages.map(m => m.message_seq)).toEqual(
        three.messages.map(m => m.message_seq).reverse(),
      );
    }
  });

  it('get_friend_msg_history: both directions, ending at message_seq, optionally newest first', async () => {
    const a = await expectOk<{ message_id: number }>(alpha, 'send_private_msg', {
      user_id: 20002,
      message: 'one',
    });
    const b = await sim.sendPrivateMsg(20002, 10001, 'two');
    await expectEvent(wsA, 'message.private.friend', e => e.message_id === b.message_id);
    const c = await expectOk<{ message_id: number }>(alpha, 'send_private_msg', {
      user_id: 20002,
      message: 'three',
    });
    type Page = {
      messages: Array<{ message_id: number; message_seq: number; raw_message: string }>;
    };
    const latest = await expectOk<Page>(alpha, 'get_friend_msg_history', {
      user_id: 20002,
      count: 3,
    });
    expect(latest.messages.map(m => m.message_id)).toEqual([
      a.message_id,
      b.message_id,
      c.message_id,
    ]);
    const upToB = await expectOk<Page>(alpha, 'get_friend_msg_history', {
      user_id: 20002,
      message_seq: b.seq,
      count: 2,
    });
    expect(upToB.messages.map(m => m.raw_message)).toEqual(['one', 'two']);
    const reversed = await expectOk<Page>(alpha, 'get_friend_msg_history', {
      user_id: 20002,
      count: 2,
      reverse_order: true,
    });
    expect(reversed.messages.map(m => m.raw_message)).toEqual(['three', 'two']);
  });

  it('recent chats in NapCat’s shape; read marks clear the unread counts they report', async () => {
    type Contact = {
      peerUin: string;
      chatType: number;
      unreadCnt: number;
      peerName: string;
      sendNickName: string;
      msgId: string;
      lastestMsg?: { message_id: number; raw_message: string; message: unknown };
    };
    const recent = async () => {
      const list = await expectOk<Contact[]>(beta, 'get_recent_contact', { count: 20 });
      return (peer: number) => list.find(c => c.peerUin === String(peer))!;
    };
    await sim.sendGroupMsg(20003, 100100, 'unread one');
    const two = await sim.sendGroupMsg(20003, 100100, 'unread two');
    const p = await sim.sendPrivateMsg(20001, 10002, 'psst');
    await expectEvent(wsB, 'message.private.friend', e => e.message_id === p.message_id);
    let chats = await recent();
    expect(chats(100100)).toMatchObject({
      chatType: 2,
      peerName: 'cqfleet demo',
      sendNickName: 'Carol',
      msgId: String(two.message_id),
      lastestMsg: { message_id: two.message_id, raw_message: 'unread two' },
    });
    expect(chats(100100).unreadCnt).toBeGreaterThanOrEqual(2);
    expect(chats(20001)).toMatchObject({ chatType: 1, peerName: 'Alice', unreadCnt: 1 });
    expect(chats(20001).lastestMsg).toMatchObject({
      message_id: p.message_id,
      message: [seg('text', { text: 'psst' })],
    });

    expect(await expectOk(beta, 'mark_group_msg_as_read', { group_id: 100100 })).toBeNull();
    chats = await recent();
    expect([chats(100100).unreadCnt, chats(20001).unreadCnt]).toEqual([0, 1]);
    expect(await expectOk(beta, 'mark_private_msg_as_read', { user_id: 20001 })).toBeNull();
    expect((await recent())(20001).unreadCnt).toBe(0);
    const again = await sim.sendPrivateMsg(20001, 10002, 'read this one');
    await expectEvent(wsB, 'message.private.friend', e => e.message_id === again.message_id);
    expect((await recent())(20001).unreadCnt).toBe(1);
    expect(await expectOk(beta, 'mark_msg_as_read', { message_id: again.message_id })).toBeNull();
    expect((await recent())(20001).unreadCnt).toBe(0);
    await sim.sendGroupMsg(20003, 100100, 'unread three');
    await sim.sendPrivateMsg(20001, 10002, 'and four');
    expect((await recent())(100100).unreadCnt).toBe(1);
    expect(await expectOk(beta, '_mark_all_as_read')).toBeNull();
    chats = await recent();
    expect([chats(100100).unreadCnt, chats(20001).unreadCnt]).toEqual([0, 0]);
    // The account's own messages are read, and alpha's counts are alpha's own.
    await expectOk(beta, 'send_group_msg', { group_id: 100100, message: 'read by sending' });
    expect((await recent())(100100).unreadCnt).toBe(0);
    const alphaChats = await expectOk<Contact[]>(alpha, 'get_recent_contact', { count: 3 });
    expect(alphaChats[0]).toMatchObject({ peerUin: '100100', chatType: 2 });
    expect(alphaChats[0]!.unreadCnt).toBeGreaterThan(0);
    await expectFailure(alpha, 'mark_msg_as_read', { message_id: 3 }, 'MSG_NOT_FOUND');
    await expectFailure(alpha, 'mark_group_msg_as_read', { group_id: 100200 }, 'GROUP_NOT_FOUND');
  });

  it('essence: set, list and delete, announced to the other account', async () => {
    const said = await sim.sendGroupMsg(20003, 100100, 'worth keeping');
    await expectEvent(wsA, 'message.group.normal', e => e.message_id === said.message_id);
    await expectFailure(
      beta,
      'set_essence_msg',
      { message_id: said.message_id },
      'SET_ESSENCE_MSG_ERROR',
    );
    await expectOk(alpha, 'set_essence_msg', { message_id: said.message_id });
    await expectEvent(
      wsB,
      'notice.essence.add',
      e => e.message_id === said.message_id && e.sender_id === 20003 && e.operator_id === 10001,
    );
    const list = await expectOk<Array<{ message_id: number }>>(beta, 'get_essence_msg_list', {
      group_id: 100100,
    });
    expect(list.map(e => e.message_id)).toContain(said.message_id);
    await expectOk(alpha, 'delete_essence_msg', { message_id: said.message_id });
    await expectEvent(wsB, 'notice.essence.delete', e => e.message_id === said.message_id);
  });
});

describe('forward messages', () => {
  it('nodes by id, custom, nested and mixed; get_forward_msg reads them back', async () => {
    const quoted = await expectOk<{ message_id: number }>(alpha, 'send_group_msg', {
      group_id: 100100,
      message: 'quoted original',
    });
    const res = await expectOk<{ message_id: number; forward_id: string }>(
      alpha,
      'send_group_forward_msg',
      {
        group_id: 100100,
        messages: [
          seg('node', { id: quoted.message_id }),
          seg('node', {
            name: 'Sender A',
            uin: '10086',
            content: [seg('text', { text: 'custom one' })],
          }),
          seg('node', {
            nickname: 'Sender B',
            user_id: 10087,
            content: 'custom [CQ:face,id=1]',
            time: '1700000000',
          }),
          seg('node', {
            name: 'Outer',
            uin: 10088,
            content: [seg('node', { name: 'Inner', uin: 10089, content: 'deep' })],
          }),
          seg('node', { id: 424242 }),
        ],
      },
    );
    const got = await expectEvent(
      wsB,
      'message.group.normal',
      e => e.message_id === res.message_id,
    );
    expect(texts(got)).toEqual([seg('forward', { id: res.forward_id })]);
    const read = await expectOk<{
      messages: Array<{ sender: { nickname: string }; content: unknown; time: number }>;
    }>(beta, 'get_forward_msg', { id: res.forward_id });
    expect(read.messages.map(m => m.sender.nickname)).toEqual([
      'Fleet Alpha',
      'Sender A',
      'Sender B',
      'Outer',
    ]);
    expect(read.messages[0]!.content).toEqual([seg('text', { text: 'quoted original' })]);
    expect(read.messages[2]).toMatchObject({
      time: 1700000000,
      content: [seg('text', { text: 'custom ' }), seg('face', { id: '1' })],
    });
    expect(read.messages[3]!.content).toEqual([
      expect.objectContaining({
        sender: { user_id: 10089, nickname: 'Inner' },
        content: [seg('text', { text: 'deep' })],
      }),
    ]);
    // NapCat and LLOneBot also take the message_id of the message carrying the forward.
    for (const id of [res.message_id, String(res.message_id)])
      expect(await expectOk(beta, 'get_forward_msg', { message_id: id })).toEqual(read);
  });

  it('private and generic forwards; nothing usable is EMPTY_NODES', async () => {
    const p = await expectOk<{ message_id: number }>(alpha, 'send_private_forward_msg', {
      user_id: 10002,
      messages: [seg('node', { name: 'n', uin: 1, content: 'x' })],
    });
    await expectEvent(wsB, 'message.private.friend', e => e.message_id === p.message_id);
    await expectOk(alpha, 'send_forward_msg', {
      message_type: 'group',
      group_id: 100100,
      messages: [seg('node', { name: 'n', uin: 1, content: 'y' })],
    });
    await expectFailure(
      alpha,
      'send_group_forward_msg',
      { group_id: 100100, messages: [seg('node', { id: 1 })] },
      'EMPTY_NODES',
    );
    await expectFailure(alpha, 'get_forward_msg', { message_id: 'nope' }, 'MSG_NOT_FOUND');
  });
});

describe('segments', () => {
  it('every send-side CQ code is accepted and arrives in its receive shape', async () => {
    const quoted = await expectOk<{ message_id: number }>(alpha, 'send_group_msg', {
      group_id: 100100,
      message: 'to be quoted',
    });
    const cq =
      `[CQ:reply,id=${quoted.message_id}]hi [CQ:at,qq=20001] [CQ:at,qq=all][CQ:face,id=14]` +
      `[CQ:image,file=${PNG},type=show,id=40004][CQ:image,file=${files.url('/a.jpg')},type=flash]` +
      `[CQ:record,file=${files.url('/a.mp3')}][CQ:video,file=${files.url('/v.mp4')},cover=${jpegB64}]` +
      `[CQ:music,type=163,id=28949129][CQ:music,type=custom,url=http://a,audio=http://a.mp3,title=t]` +
      `[CQ:share,url=http://x,title=y][CQ:contact,type=qq,id=20001][CQ:location,lat=1.5,lon=2.5,title=here]` +
      `[CQ:xml,data=<msg/>,resid=1][CQ:json,data={"app":"x"&#44;"v":1}][CQ:cardimage,file=${files.url('/c.jpg')}]` +
      `[CQ:tts,text=hello][CQ:dice][CQ:rps][CQ:forward,id=abc]`;
    const sent = await expectOk<{ message_id: number }>(alpha, 'send_group_msg', {
      group_id: 100100,
      message: cq,
    });
    const got = texts(
      await expectEvent(wsB, 'message.group.normal', e => e.message_id === sent.message_id),
    );
    const byType = (t: string) => got.filter(s => s.type === t);
    expect(got[0]).toEqual(seg('reply', { id: String(quoted.message_id) }));
    expect(byType('at')).toEqual([seg('at', { qq: '20001' }), seg('at', { qq: 'all' })]);
    expect(byType('face')).toEqual([seg('face', { id: '14' })]);
    expect(byType('image')).toEqual([
      {
        type: 'image',
        data: {
          file: expect.stringMatching(/^[0-9a-f]{32}\.image$/),
          url: expect.stringContaining('/media/image/'),
          subType: '0',
          type: 'show',
          id: '40004',
        },
      },
      {
        type: 'image',
        data: expect.objectContaining({ type: 'flash', file: expect.stringMatching(/\.image$/) }),
      },
    ]);
    expect(byType('record')).toHaveLength(2); // the record and the tts voice
    expect(byType('video')[0]!.data.file).toMatch(/^[0-9a-f]{32}\.video$/);
    expect(byType('json').map(s => JSON.parse(s.data.data!) as { app: string })).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ app: 'com.tencent.structmsg' }),
        { app: 'x', v: 1 },
      ]),
    );
    expect(byType('xml').length).toBe(2); // the xml and the cardimage
    expect(byType('share')).toEqual([seg('share', { url: 'http://x', title: 'y' })]);
    expect(byType('contact')).toEqual([seg('contact', { type: 'qq', id: '20001' })]);
    expect(byType('location')[0]!.data).toMatchObject({ lat: '1.5', lon: '2.5' });
    expect(byType('dice')[0]!.data.value).toMatch(/^[1-6]$/);
    expect(byType('rps')[0]!.data.value).toMatch(/^[1-3]$/);
    expect(byType('forward')).toEqual([seg('forward', { id: 'abc' })]);
  });

  it('@all from a plain member becomes the words; anonymous messages', async () => {
    const m = await expectOk<{ message_id: number }>(beta, 'send_group_msg', {
      group_id: 100100,
      message: '[CQ:at,qq=all] hi',
    });
    expect(
      texts(await expectEvent(wsA, 'message.group.normal', e => e.message_id === m.message_id)),
    ).toEqual([seg('text', { text: '@全体成员 hi' })]);
    const anon = await expectOk<{ message_id: number }>(beta, 'send_group_msg', {
      group_id: 100100,
      message: [seg('anonymous'), seg('text', { text: 'guess who' })],
    });
    const got = await expectEvent(
      wsA,
      'message.group.anonymous',
      e => e.message_id === anon.message_id,
    );
    expect(got).toMatchObject({
      anonymous: { flag: expect.stringMatching(/^\d+\|/) },
      sender: { nickname: '匿名消息' },
    });
  });

  it('poke and gift are actions, not messages: message_id 0', async () => {
    expect(
      await expectOk(alpha, 'send_group_msg', { group_id: 100100, message: '[CQ:poke,qq=10002]' }),
    ).toEqual({ message_id: 0 });
    await expectEvent(
      wsB,
      'notice.notify.poke',
      e => e.group_id === 100100 && e.user_id === 10001 && e.target_id === 10002,
    );
    expect(
      await expectOk(alpha, 'send_group_msg', {
        group_id: 100100,
        message: '[CQ:gift,qq=10002,id=8]',
      }),
    ).toEqual({ message_id: 0 });
    // The group sees the gift as a gray tip (NapCat's notify/gray_tip), the giver included.
    for (const ws of [wsA, wsB]) {
      const tip = await expectEvent(
        ws,
        'notice.notify.gray_tip',
        e => e.busi_id === 'gift' && e.user_id === 10001,
      );
      expect(tip).toMatchObject({
        group_id: 100100,
        raw_info: { target_id: 10002, gift_id: 8, gift_name: '告白话筒' },
      });
      expect(JSON.parse(tip.content as string)).toMatchObject({
        items: [{ uin: '10001' }, { txt: '送给' }, { uin: '10002' }, { txt: '一个告白话筒' }],
      });
    }
    expect(
      await expectOk(alpha, 'send_private_msg', { user_id: 10002, message: '[CQ:poke,qq=10002]' }),
    ).toEqual({ message_id: 0 });
    const friendPoke = await expectEvent(
      wsB,
      'notice.notify.poke',
      e => e.group_id === undefined && e.sender_id === 10001,
    );
    expect(friendPoke).toMatchObject({ user_id: 10001, target_id: 10002 });
  });

  it('invalid segments are sent as their literal CQ code (ignore_invalid_cqcode off)', async () => {
    const m = await expectOk<{ message_id: number }>(alpha, 'send_group_msg', {
      group_id: 100100,
      message:
        'a[CQ:nope,x=1]b[CQ:reply,id=123]c[CQ:image,file=file:///etc/passwd][CQ:gift,qq=1,id=99]',
    });
    const got = await expectEvent(wsB, 'message.group.normal', e => e.message_id === m.message_id);
    expect(got.raw_message).toBe(
      'a&#91;CQ:nope,x=1&#93;b&#91;CQ:reply,id=123&#93;c&#91;CQ:image,file=file:///etc/passwd&#93;&#91;CQ:gift,qq=1,id=99&#93;',
    );
  });
});

describe('events from people', () => {
  it('red packets: a redbag segment, then the lucky king', async () => {
    const rp = await sim.redPacket(20002, 100100, '恭喜发财', 20003);
    const msg = await expectEvent(wsA, 'message.group.normal', e => e.message_id === rp.message_id);
    expect(texts(msg)).toEqual([seg('redbag', { title: '恭喜发财' })]);
    const king = await expectEvent(wsA, 'notice.notify.lucky_king', e => e.group_id === 100100);
    expect(king).toMatchObject({ user_id: 20002, target_id: 20003 });
  });

  it('pokes from people, in a group and between friends', async () => {
    await sim.act(20001, 'poke', { group_id: 100100, user_id: 10001 });
    await expectEvent(
      wsA,
      'notice.notify.poke',
      e => e.group_id === 100100 && e.sender_id === 20001 && e.target_id === 10001,
    );
    await sim.act(20001, 'poke', { user_id: 10002 });
    await expectEvent(
      wsB,
      'notice.notify.poke',
      e => e.group_id === undefined && e.sender_id === 20001,
    );
  });

  it('received private replies carry the id of the quoted message', async () => {
    const mine = await expectOk<{ message_id: number }>(alpha, 'send_private_msg', {
      user_id: 20001,
      message: 'question?',
    });
    const seq = (await sim.personMessages(20001, 1))[0]!.seq;
    const answer = await sim.sendPrivateMsg(20001, 10001, [
      seg('reply', { seq, qq: 10001 }),
      seg('text', { text: 'answer' }),
    ]);
    const got = await expectEvent(
      wsA,
      'message.private.friend',
      e => e.message_id === answer.message_id,
    );
    expect(texts(got)[0]).toEqual(seg('reply', { id: String(mine.message_id) }));
    expect(messageId(10001, seq)).toBe(mine.message_id);
  });
});
