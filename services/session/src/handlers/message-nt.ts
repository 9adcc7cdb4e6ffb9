/**
 * The NT-era message actions, answered in NapCat's shapes (LLOneBot's where only it has the
 * action): read marks, emoji reactions, the recent-contact list, pokes, forwarding one message
 * and what a voice says.
 */
import { fail, formatMessage, type MessageEvent, messageId } from '@cqfleet/onebot';
import type { Ops, SimGroupSender } from '@cqfleet/sim-client';
import type { ActionContext, SessionHandlers } from '../actions/context.js';
import { chatOf, findMessage } from '../actions/helpers.js';
import { sendAndRecord } from '../actions/send-and-record.js';
import { groupMessageEvent, privateMessageEvent } from '../events/normalize.js';
import { incomingSegments } from '../segments/incoming.js';
import type { Target } from '../segments/outgoing.js';

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

export const messageNtHandlers = {
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
} satisfies SessionHandlers;
