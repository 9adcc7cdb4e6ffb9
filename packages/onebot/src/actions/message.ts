/** Sending, reading and managing messages (reference §1.4 "Messages", §1.5, NT extensions). */
import { z } from 'zod';
import { action } from '../action.js';
import {
  bool,
  int,
  int32,
  message,
  messageParams,
  noParams,
  nodes,
  params,
  str,
} from '../params.js';
import * as s from './shapes.js';

const byMessageId = params({ message_id: int32() }, { message_id: ['id'] });

/** What NT calls return where a client expects their result (NapCat, LLOneBot). */
const ntCallResult = z.looseObject({ result: z.number(), errMsg: z.string() });

/**
 * NapCat's `get_recent_contact` entry (`lastestMsg` is absent when the last message is gone);
 * `unreadCnt` is cqfleet's, named as NT's recent-contact record names it.
 */
const recentContact = z.looseObject({
  lastestMsg: s.messageEvent.optional(),
  peerUin: z.string(),
  remark: z.string(),
  msgTime: z.string(),
  chatType: z.number(),
  msgId: z.string(),
  sendNickName: z.string(),
  sendMemberName: z.string(),
  peerName: z.string(),
  unreadCnt: z.number(),
});

export const messageActions = {
  send_private_msg: action({
    owner: 'session',
    origin: 'onebot11',
    status: 'ready',
    summary: 'Send a private message (group_id makes it a temporary session).',
    params: messageParams({
      user_id: int(),
      group_id: int(),
      message: message(),
      auto_escape: bool(),
    }),
    result: s.messageIdResult,
  }),
  send_group_msg: action({
    owner: 'session',
    origin: 'onebot11',
    status: 'ready',
    summary: 'Send a group message.',
    params: messageParams({ group_id: int(), message: message(), auto_escape: bool() }),
    result: s.messageIdResult,
  }),
  send_msg: action({
    owner: 'session',
    origin: 'onebot11',
    status: 'ready',
    summary: 'Send by message_type, else by user_id, else by group_id (no target: INVALID_PARAMS).',
    params: messageParams({
      message_type: str(),
      user_id: int(),
      group_id: int(),
      message: message(),
      auto_escape: bool(),
    }),
    result: s.messageIdResult,
  }),
  delete_msg: action({
    owner: 'session',
    origin: 'onebot11',
    status: 'ready',
    summary: 'Recall a message.',
    params: byMessageId,
    result: s.nothing,
  }),
  get_msg: action({
    owner: 'history',
    origin: 'onebot11',
    status: 'ready',
    summary: 'A stored message by id, received or sent.',
    params: byMessageId,
    result: s.storedMessage,
  }),
  get_forward_msg: action({
    owner: 'history',
    origin: 'onebot11',
    status: 'ready',
    summary:
      'The nodes of a forward message, by its resid or by the message_id of the message carrying it.',
    // A resid names a key of history's store: QQ's are under 100 characters.
    params: params({ message_id: str('', 1024) }, { message_id: ['id'] }),
    result: z.looseObject({ messages: z.array(s.forwardNode) }),
  }),
  send_group_forward_msg: action({
    owner: 'session',
    origin: 'go-cqhttp',
    status: 'ready',
    summary: 'Send a forward message of nodes to a group.',
    params: params({ group_id: int(), messages: nodes() }),
    result: s.forwardSendResult,
  }),
  send_private_forward_msg: action({
    owner: 'session',
    origin: 'go-cqhttp',
    status: 'ready',
    summary: 'Send a forward message of nodes to a friend.',
    params: params({ user_id: int(), messages: nodes() }),
    result: s.forwardSendResult,
  }),
  send_forward_msg: action({
    owner: 'session',
    origin: 'go-cqhttp',
    status: 'ready',
    summary: 'Send a forward message, dispatched like send_msg.',
    params: params({
      message_type: str(),
      user_id: int(),
      group_id: int(),
      messages: nodes(),
    }),
    result: s.forwardSendResult,
  }),
  get_group_msg_history: action({
    owner: 'history',
    origin: 'go-cqhttp',
    status: 'ready',
    summary:
      'Up to count (20) group messages ending at message_seq (latest when absent), oldest first; reverse_order: newest first.',
    params: params(
      { group_id: int(), message_seq: int(), count: int(20), reverse_order: bool() },
      { reverse_order: ['reverseOrder'] },
    ),
    result: z.looseObject({ messages: z.array(s.messageEvent) }),
  }),
  get_friend_msg_history: action({
    owner: 'history',
    origin: 'nt',
    status: 'ready',
    summary: 'Private messages with a friend ending at message_seq.',
    params: params(
      { user_id: int(), message_seq: int(), count: int(20), reverse_order: bool() },
      { reverse_order: ['reverseOrder'] },
    ),
    result: z.looseObject({ messages: z.array(s.messageEvent) }),
  }),
  mark_msg_as_read: action({
    owner: 'session',
    origin: 'go-cqhttp',
    status: 'ready',
    summary: 'Mark the chat of a message as read (its unread count becomes 0).',
    params: byMessageId,
    result: s.nothing,
  }),
  mark_private_msg_as_read: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: 'Mark a private chat as read (its unread count becomes 0).',
    params: params({ user_id: int() }),
    result: s.nothing,
  }),
  mark_group_msg_as_read: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: 'Mark a group chat as read (its unread count becomes 0).',
    params: params({ group_id: int() }),
    result: s.nothing,
  }),
  _mark_all_as_read: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: 'Mark every chat as read.',
    params: noParams,
    result: s.nothing,
  }),
  set_msg_emoji_like: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: 'Add or remove an emoji reaction on a group message.',
    params: params({ message_id: int32(), emoji_id: str(), set: bool(true) }),
    result: ntCallResult,
  }),
  unset_msg_emoji_like: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: "Remove the account's emoji reaction from a group message (LLOneBot).",
    params: params({ message_id: int32(), emoji_id: str() }),
    result: ntCallResult,
  }),
  fetch_emoji_like: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: 'Who reacted to a group message with an emoji, a page at a time (cookie).',
    params: params(
      {
        message_id: int32(),
        emojiId: str(),
        emojiType: str(),
        count: int(20),
        cookie: str(),
      },
      { emojiId: ['emoji_id'], emojiType: ['emoji_type'] },
    ),
    result: ntCallResult.extend({
      emojiLikesList: z.array(
        z.looseObject({ tinyId: z.string(), nickName: z.string(), headUrl: z.string() }),
      ),
      cookie: z.string(),
      isLastPage: z.boolean(),
      isFirstPage: z.boolean(),
    }),
  }),
  get_emoji_likes: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: 'Who reacted to a group message with an emoji (count 0: everyone).',
    params: params({
      group_id: int(),
      message_id: int32(),
      emoji_id: str(),
      emoji_type: str(),
      count: int(0),
    }),
    result: z.looseObject({
      emoji_like_list: z.array(z.looseObject({ user_id: z.string(), nick_name: z.string() })),
    }),
  }),
  get_recent_contact: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: 'The most recent chats: peer, last message, unread count.',
    params: params({ count: int(10) }),
    result: z.array(recentContact),
  }),
  send_poke: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: 'Poke a friend, or with group_id a member (target_id, else user_id).',
    params: params({ user_id: int(), group_id: int(), target_id: int() }),
    result: s.nothing,
  }),
  forward_friend_single_msg: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: 'Send a copy of one stored message to a friend.',
    params: params({ message_id: int32(), user_id: int() }, { message_id: ['id'] }),
    result: s.nothing,
  }),
  forward_group_single_msg: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: 'Send a copy of one stored message to a group.',
    params: params({ message_id: int32(), group_id: int() }, { message_id: ['id'] }),
    result: s.nothing,
  }),
  voice_msg_to_text: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: 'The text of a received voice message (LLOneBot).',
    params: byMessageId,
    result: z.looseObject({ text: z.string() }),
  }),
  fetch_ptt_text: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: 'The text of a received voice message (NapCat).',
    params: byMessageId,
    result: z.looseObject({ text: z.string() }),
  }),
  set_essence_msg: action({
    owner: 'session',
    origin: 'go-cqhttp',
    status: 'ready',
    summary: 'Make a group message essence.',
    params: byMessageId,
    result: s.nothing,
  }),
  delete_essence_msg: action({
    owner: 'session',
    origin: 'go-cqhttp',
    status: 'ready',
    summary: 'Remove a message from essence.',
    params: byMessageId,
    result: s.nothing,
  }),
  get_essence_msg_list: action({
    owner: 'session',
    origin: 'go-cqhttp',
    status: 'ready',
    summary: 'The essence messages of a group.',
    params: params({ group_id: int() }),
    result: z.array(
      z.looseObject({
        sender_id: z.number(),
        sender_nick: z.string(),
        sender_time: z.number(),
        operator_id: z.number(),
        operator_nick: z.string(),
        operator_time: z.number(),
        message_id: z.number().int(),
      }),
    ),
  }),
} as const;
