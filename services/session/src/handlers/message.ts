/**
 * Sending, recalling and marking messages (reference §1.4 "Messages", §1.5, NT extensions).
 *
 * Forward messages (seed 合并转发 / 合并转发消息节点): send nodes by message id (re-sent with
 * their original sender, name and time), custom nodes (`name|nickname`, `uin|user_id`,
 * `content`, optional `time`), nested nodes (a `content` made of nodes) and any mix. Reading a
 * forward back (`get_forward_msg`) is history's, which asks this worker for the nodes
 * (actions/qq-reads.ts) when it has not stored them yet.
 */
import { sentEventId } from '@cqfleet/contracts';
import {
  fail,
  formatMessage,
  type InputSegment,
  isEmptyMessage,
  type MessageEvent,
  type MessageInput,
  messageId,
  type Segment,
  toSegments,
  valueToString,
} from '@cqfleet/onebot';
import type { Ops, SentMessage, SimForwardNodeInput, SimGroupSender } from '@cqfleet/sim-client';
import type { ActionContext, SessionHandlers } from '../actions/context.js';
import { asFailure, chatOf, findMessage, seconds } from '../actions/helpers.js';
import { groupMessageEvent, privateMessageEvent } from '../events/normalize.js';
import { incomingSegments } from '../segments/incoming.js';
import { prepareOutgoing, type Target, uploadNodeMedia } from '../segments/outgoing.js';

/**
 * Sends to a chat and records the message as a `message_sent` event (history stores it;
 * endpoints with self-reporting deliver it). Resolves once the event is in the stream, so a
 * `get_msg` on the returned id finds it.
 */
export async function sendMessage(
  ctx: ActionContext,
  target: Target,
  segments: Segment[],
): Promise<{ message_id: number }> {
  const qq = ctx.qq;
  const out = await prepareOutgoing(ctx, segments, target);
  if (out.kind === 'actions') {
    for (const poked of out.pokes)
      await qq.call(
        'poke',
        'group_id' in target
          ? { user_id: poked, group_id: target.group_id }
          : { user_id: target.user_id },
      );
    // prepareOutgoing takes gifts in groups only.
    if ('group_id' in target)
      for (const gift of out.gifts)
        await qq.call('send_gift', {
          group_id: target.group_id,
          user_id: gift.qq,
          gift_id: gift.id,
        });
    return { message_id: 0 };
  }
  if (isEmptyMessage(out.elements)) fail('EMPTY_MSG_ERROR');
  return sendAndRecord(ctx, target, () =>
    'group_id' in target
      ? qq.call('send_group_msg', { group_id: target.group_id, elements: out.elements })
      : qq.call('send_private_msg', {
          user_id: target.user_id,
          elements: out.elements,
          ...(target.temp_group ? { group_id: target.temp_group } : {}),
        }),
  );
}

/**
 * Runs a send of the QQ side's and records the message as a `message_sent` event (history
 * stores it; endpoints with self-reporting deliver it), resolving once the event is in the
 * stream. The account's member record in a group is read first: it goes into the event.
 */
async function sendAndRecord(
  ctx: ActionContext,
  target: Target,
  send: () => Promise<SentMessage>,
): Promise<{ message_id: number }> {
  const { account, qq } = ctx;
  const options = { extraReplyData: ctx.options.extraReplyData };
  if ('group_id' in target) {
    const self = await account.selfMember(target.group_id);
    const sent = await send();
    const event = groupMessageEvent({
      selfId: account.uin,
      postType: 'message_sent',
      groupId: target.group_id,
      seq: sent.seq,
      time: sent.time,
      sender: self,
      elements: incomingSegments(sent.elements, target.group_id, options),
    });
    account.stats.messageSent++;
    await account.publish(sentEventId(account.uin, 'g', target.group_id, sent.seq), event);
    return { message_id: event.message_id };
  }
  const self = await qq.self();
  const sent = await send();
  const event = privateMessageEvent({
    selfId: account.uin,
    postType: 'message_sent',
    seq: sent.seq,
    time: sent.time,
    sender: { user_id: self.user_id, nickname: self.nickname, sex: self.sex, age: self.age },
    targetId: target.user_id,
    tempSource: target.temp_group,
    elements: incomingSegments(sent.elements, undefined, options),
  });
  account.stats.messageSent++;
  await account.publish(sentEventId(account.uin, 'p', target.user_id, sent.seq), event);
  return { message_id: event.message_id };
}

/** go-cqhttp's dispatch: message_type first, then user_id, then group_id. */
export function dispatchTarget(p: {
  message_type: string;
  user_id: number;
  group_id: number;
}): Target {
  if (p.message_type === 'group') return { group_id: p.group_id };
  if (p.message_type === 'private') return { user_id: p.user_id };
  if (p.user_id !== 0) return { user_id: p.user_id };
  if (p.group_id !== 0) return { group_id: p.group_id };
  // go-cqhttp answers a bare `{}` here; a clear failure helps more.
  return fail('INVALID_PARAMS', '需要 message_type、user_id 或 group_id');
}

const sends = {
  send_group_msg: (p, ctx) => sendMessage(ctx, { group_id: p.group_id }, p.message),
  /** With group_id this is a temporary session started from that group. */
  send_private_msg: (p, ctx) =>
    sendMessage(
      ctx,
      { user_id: p.user_id, ...(p.group_id ? { temp_group: p.group_id } : {}) },
      p.message,
    ),
  send_msg: (p, ctx) => sendMessage(ctx, dispatchTarget(p), p.message),
  delete_msg: async (p, ctx) => {
    const m = await findMessage(ctx, p.message_id, 'MESSAGE_NOT_FOUND');
    if (m.message_type === 'private' && m.user_id !== ctx.account.uin)
      fail('CANNOT_RECALL_FRIEND_MSG');
    await ctx.qq.call('recall', {
      ...chatOf(ctx, m),
      seq: m.message_seq,
      sender_id: m.user_id,
    });
    return null;
  },
  mark_msg_as_read: async (p, ctx) => {
    const m = await findMessage(ctx, p.message_id, 'MSG_NOT_FOUND');
    await ctx.qq.call('mark_read', { ...chatOf(ctx, m), seq: m.message_seq });
    return null;
  },
  mark_private_msg_as_read: async (p, ctx) => (
    await ctx.qq.call('mark_read', { user_id: p.user_id }),
    null
  ),
  mark_group_msg_as_read: async (p, ctx) => (
    await ctx.qq.call('mark_read', { group_id: p.group_id }),
    null
  ),
  _mark_all_as_read: async (_p, ctx) => (await ctx.qq.call('mark_all_read', {}), null),
  set_msg_emoji_like: (p, ctx) => react(ctx, p.message_id, p.emoji_id, p.set),
  /** LLOneBot's; NT's call result, as its `set_msg_emoji_like` answers. */
  unset_msg_emoji_like: (p, ctx) => react(ctx, p.message_id, p.emoji_id, false),
  /** NapCat's page of reactors: `cookie` is where the next page starts ('' on the last page). */
  fetch_emoji_like: async (p, ctx) => {
    if (p.cookie !== '' && !/^\d+$/.test(p.cookie))
      fail('INVALID_PARAMS', `cookie ${p.cookie} 无效`);
    const all = await reactors(ctx, p.message_id, p.emojiId);
    const from = Number(p.cookie || 0);
    const to = from + (p.count > 0 ? p.count : 20);
    return {
      result: 0,
      errMsg: '',
      emojiLikesList: all.slice(from, to).map(r => ({
        tinyId: String(r.user_id),
        nickName: r.nickname,
        headUrl: r.avatar,
      })),
      cookie: to < all.length ? String(to) : '',
      isFirstPage: from === 0,
      isLastPage: to >= all.length,
    };
  },
  /** NapCat's: everyone (count 0) or the first `count`; a `group_id` given must be the message's. */
  get_emoji_likes: async (p, ctx) => {
    const all = await reactors(ctx, p.message_id, p.emoji_id, p.group_id);
    return {
      emoji_like_list: (p.count > 0 ? all.slice(0, p.count) : all).map(r => ({
        user_id: String(r.user_id),
        nick_name: r.nickname,
      })),
    };
  },
  /** NapCat's shape, which the clients that call this action expect, with the unread count. */
  get_recent_contact: async (p, ctx) =>
    (await ctx.qq.call('get_recent_contacts', { count: p.count })).map(c => recentContact(ctx, c)),
  /** NapCat's: in a group, `target_id` (else `user_id`) is poked; in a private chat, the friend. */
  send_poke: async (p, ctx) => {
    if (p.group_id !== 0) {
      const target = p.target_id || p.user_id;
      if (target === 0) fail('INVALID_PARAMS', '缺少 user_id 或 target_id');
      await ctx.qq.call('poke', { group_id: p.group_id, user_id: target });
      return null;
    }
    if (p.user_id === 0) fail('INVALID_PARAMS', '缺少 user_id 或 group_id');
    if (p.target_id !== 0 && p.target_id !== p.user_id)
      fail('INVALID_PARAMS', '私聊只能戳对方 (target_id 须与 user_id 相同)');
    await ctx.qq.call('poke', { user_id: p.user_id });
    return null;
  },
  forward_friend_single_msg: (p, ctx) => forwardSingle(ctx, p.message_id, { user_id: p.user_id }),
  forward_group_single_msg: (p, ctx) => forwardSingle(ctx, p.message_id, { group_id: p.group_id }),
  voice_msg_to_text: (p, ctx) => voiceText(ctx, p.message_id),
  fetch_ptt_text: (p, ctx) => voiceText(ctx, p.message_id),
  set_essence_msg: (p, ctx) => setEssence(ctx, p.message_id, true),
  delete_essence_msg: (p, ctx) => setEssence(ctx, p.message_id, false),
  get_essence_msg_list: (p, ctx) =>
    asFailure('GET_ESSENCE_LIST_FOUND', async () =>
      (await ctx.qq.call('get_essence_list', { group_id: p.group_id })).map(e => ({
        sender_id: e.sender_id,
        sender_nick: e.sender_nick,
        sender_time: e.sender_time,
        operator_id: e.operator_id,
        operator_nick: e.operator_nick,
        operator_time: e.operator_time,
        message_id: messageId(p.group_id, e.seq),
      })),
    ),
} satisfies SessionHandlers;

/** A group message this account has, or MESSAGE_NOT_FOUND (reactions are for group messages). */
async function groupMessage(ctx: ActionContext, id: number, wording: string, groupId = 0) {
  const m = await findMessage(ctx, id, 'MESSAGE_NOT_FOUND');
  if (m.message_type !== 'group' || (groupId !== 0 && m.group_id !== groupId))
    fail('MESSAGE_NOT_FOUND', wording);
  return m;
}

async function react(ctx: ActionContext, id: number, emojiId: string, set: boolean) {
  if (emojiId === '') fail('INVALID_PARAMS', '缺少 emoji_id');
  const m = await groupMessage(ctx, id, '只能回应群消息');
  await ctx.qq.call('react', {
    group_id: m.group_id,
    seq: m.message_seq,
    emoji_id: emojiId,
    set,
  });
  return { result: 0, errMsg: '' };
}

async function reactors(ctx: ActionContext, id: number, emojiId: string, groupId = 0) {
  if (emojiId === '') fail('INVALID_PARAMS', '缺少 emoji_id');
  const m = await groupMessage(ctx, id, '只有群消息有表情回应', groupId);
  return ctx.qq.call('get_reactions', {
    group_id: m.group_id,
    seq: m.message_seq,
    emoji_id: emojiId,
  });
}

type RecentChat = Ops['get_recent_contacts']['result'][number];

/**
 * NapCat's recent-contact entry: `lastestMsg` is the last message as `get_msg` would give it
 * (in the endpoint's format; absent when the message is gone), `chatType` NT's (1 private,
 * 2 group), `msgId` the message's id; `unreadCnt` is cqfleet's.
 */
function recentContact(ctx: ActionContext, c: RecentChat) {
  const self = ctx.account.uin;
  const isGroup = c.chat_type === 'group';
  const options = { extraReplyData: ctx.options.extraReplyData };
  const s: SimGroupSender = c.last_sender;
  const postType = c.last_sender_id === self ? 'message_sent' : 'message';
  const last: MessageEvent | undefined =
    c.last_message.length === 0
      ? undefined
      : isGroup
        ? groupMessageEvent({
            selfId: self,
            postType,
            groupId: c.peer_id,
            seq: c.last_seq,
            time: c.last_time,
            sender: s,
            elements: incomingSegments(c.last_message, c.peer_id, options),
          })
        : privateMessageEvent({
            selfId: self,
            postType,
            seq: c.last_seq,
            time: c.last_time,
            sender: { user_id: s.user_id, nickname: s.nickname, sex: s.sex, age: s.age },
            targetId: c.last_sender_id === self ? c.peer_id : self,
            elements: incomingSegments(c.last_message, undefined, options),
          });
  return {
    ...(last
      ? {
          lastestMsg: {
            ...last,
            message: formatMessage(last.message, ctx.format),
            message_format: ctx.format,
          },
        }
      : {}),
    peerUin: String(c.peer_id),
    remark: c.remark,
    msgTime: String(c.last_time),
    chatType: isGroup ? 2 : 1,
    msgId: String(messageId(isGroup ? c.peer_id : c.last_sender_id, c.last_seq)),
    sendNickName: s.nickname,
    sendMemberName: isGroup ? s.card : '',
    peerName: c.peer_name,
    unreadCnt: c.unread,
  };
}

/**
 * NapCat's forward of one message: a copy of it, sent by the account to `target` (recorded as
 * the account's `message_sent` like any send). Answers `null`, as NapCat does.
 */
async function forwardSingle(ctx: ActionContext, id: number, target: Target): Promise<null> {
  if ('group_id' in target ? target.group_id === 0 : target.user_id === 0)
    fail('INVALID_PARAMS', '缺少 group_id 或 user_id');
  const m = await findMessage(ctx, id, 'MSG_NOT_FOUND');
  const to =
    'group_id' in target ? { to_group_id: target.group_id } : { to_user_id: target.user_id };
  await sendAndRecord(ctx, target, () =>
    ctx.qq.call('forward_single', {
      ...chatOf(ctx, m),
      seq: m.message_seq,
      sender_id: m.user_id,
      ...to,
    }),
  );
  return null;
}

/** What the voice of a stored message says (the QQ side's speech-to-text). */
async function voiceText(ctx: ActionContext, id: number): Promise<{ text: string }> {
  const m = await findMessage(ctx, id, 'MSG_NOT_FOUND');
  return ctx.qq.call('voice_text', { ...chatOf(ctx, m), seq: m.message_seq, sender_id: m.user_id });
}

async function setEssence(ctx: ActionContext, id: number, enable: boolean): Promise<null> {
  const m = await findMessage(ctx, id, 'MESSAGE_NOT_FOUND');
  if (m.message_type !== 'group') fail('MESSAGE_NOT_FOUND', '精华消息必须是群消息');
  await asFailure('SET_ESSENCE_MSG_ERROR', () =>
    ctx.qq.call('set_essence', { group_id: m.group_id, seq: m.message_seq, enable }),
  );
  return null;
}

const isNode = (s: unknown): s is InputSegment =>
  typeof s === 'object' && s !== null && (s as InputSegment).type === 'node';

/** Builds the network's nodes; nodes that cannot be built are skipped, as go-cqhttp does. */
async function buildNodes(
  ctx: ActionContext,
  input: InputSegment[],
): Promise<SimForwardNodeInput[]> {
  const out: SimForwardNodeInput[] = [];
  for (const node of input.filter(isNode)) {
    const d = node.data ?? {};
    if (d.id !== undefined && d.id !== null && d.id !== '') {
      const m = await findMessage(ctx, Number(d.id), 'MSG_NOT_FOUND').catch(() => undefined);
      if (!m) continue;
      const sender = m.sender as { card?: string; nickname: string };
      out.push({
        user_id: m.user_id,
        nickname: sender.card || sender.nickname,
        time: m.time,
        elements: m.message,
      });
      continue;
    }
    const name = d.name ?? d.nickname;
    const uin = d.uin ?? d.user_id;
    const content = d.content;
    if (name === undefined || uin === undefined || content === undefined) continue;
    const time = Number(d.time ?? 0) || seconds();
    const base = { user_id: Number(valueToString(uin)), nickname: valueToString(name), time };
    if (Array.isArray(content) && content.some(isNode))
      out.push({ ...base, nodes: await buildNodes(ctx, content as InputSegment[]) });
    else out.push({ ...base, elements: toSegments(content as MessageInput) });
  }
  return out;
}

/** Uploads the media of every custom node, all at once (go-cqhttp uploads them concurrently). */
async function uploadNodes(ctx: ActionContext, nodes: SimForwardNodeInput[]): Promise<void> {
  const jobs: Array<Promise<void>> = [];
  const walk = (list: SimForwardNodeInput[]) => {
    for (const node of list) {
      if (node.nodes) walk(node.nodes);
      else if (node.elements)
        jobs.push(
          uploadNodeMedia(ctx, node.elements).then(elements => {
            node.elements = elements;
          }),
        );
    }
  };
  walk(nodes);
  await Promise.all(jobs);
}

async function sendForward(ctx: ActionContext, target: Target, messages: InputSegment[]) {
  const { account, qq } = ctx;
  const nodes = await buildNodes(ctx, messages);
  await uploadNodes(ctx, nodes);
  const chat = 'group_id' in target ? { group_id: target.group_id } : { user_id: target.user_id };
  const sent = await qq.call('send_forward', { ...chat, nodes });
  const options = { extraReplyData: ctx.options.extraReplyData };
  const event =
    'group_id' in target
      ? groupMessageEvent({
          selfId: account.uin,
          postType: 'message_sent',
          groupId: target.group_id,
          seq: sent.seq,
          time: sent.time,
          sender: await account.selfMember(target.group_id),
          elements: incomingSegments(sent.elements, target.group_id, options),
        })
      : privateMessageEvent({
          selfId: account.uin,
          postType: 'message_sent',
          seq: sent.seq,
          time: sent.time,
          sender: await qq.self(),
          targetId: target.user_id,
          elements: incomingSegments(sent.elements, undefined, options),
        });
  account.stats.messageSent++;
  const chatKey =
    'group_id' in target ? (['g', target.group_id] as const) : (['p', target.user_id] as const);
  await account.publish(sentEventId(account.uin, chatKey[0], chatKey[1], sent.seq), event);
  return { message_id: event.message_id, forward_id: sent.resid };
}

const forwards = {
  send_group_forward_msg: (p, ctx) => sendForward(ctx, { group_id: p.group_id }, p.messages),
  send_private_forward_msg: (p, ctx) => sendForward(ctx, { user_id: p.user_id }, p.messages),
  send_forward_msg: (p, ctx) => sendForward(ctx, dispatchTarget(p), p.messages),
} satisfies SessionHandlers;

export const messageHandlers = { ...sends, ...forwards } satisfies SessionHandlers;
