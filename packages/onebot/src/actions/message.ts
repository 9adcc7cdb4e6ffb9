/** Sending, reading and managing messages (reference §1.4 "Messages", §1.5, NT extensions). */
import { z } from 'zod';
import { action } from '../action.js';
import { toSegments } from '../message.js';
import type { MessageInput } from '../segment.js';
import { bool, int, int32, message, nodes, params, str } from '../params.js';
import * as s from './shapes.js';

/** Normalises `message` to segments with `auto_escape` applied, at the edge. */
function withSegments<T extends { message: MessageInput; auto_escape: boolean }>(p: T) {
  return { ...p, message: toSegments(p.message, p.auto_escape) };
}

const byMessageId = params({ message_id: int32() }, { message_id: ['id'] });

export const messageActions = {
  send_private_msg: action({
    owner: 'session',
    origin: 'onebot11',
    status: 'ready',
    summary: 'Send a private message (group_id makes it a temporary session).',
    params: params({
      user_id: int(),
      group_id: int(),
      message: message(),
      auto_escape: bool(),
    }).transform(withSegments),
    result: s.messageIdResult,
  }),
  send_group_msg: action({
    owner: 'session',
    origin: 'onebot11',
    status: 'ready',
    summary: 'Send a group message.',
    params: params({ group_id: int(), message: message(), auto_escape: bool() }).transform(
      withSegments,
    ),
    result: s.messageIdResult,
  }),
  send_msg: action({
    owner: 'session',
    origin: 'onebot11',
    status: 'ready',
    summary: 'Send by message_type, else by user_id, else by group_id (no target: INVALID_PARAMS).',
    params: params({
      message_type: str(),
      user_id: int(),
      group_id: int(),
      message: message(),
      auto_escape: bool(),
    }).transform(withSegments),
    result: s.messageIdResult,
  }),
  delete_msg: action({
    owner: 'session',
    origin: 'onebot11',
    status: 'planned',
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
    status: 'planned',
    summary: 'The nodes of a forward message.',
    params: params({ message_id: str() }, { message_id: ['id'] }),
    result: z.looseObject({ messages: z.array(s.forwardNode) }),
  }),
  send_group_forward_msg: action({
    owner: 'session',
    origin: 'go-cqhttp',
    status: 'planned',
    summary: 'Send a forward message of nodes to a group.',
    params: params({ group_id: int(), messages: nodes() }),
    result: s.forwardSendResult,
  }),
  send_private_forward_msg: action({
    owner: 'session',
    origin: 'go-cqhttp',
    status: 'planned',
    summary: 'Send a forward message of nodes to a friend.',
    params: params({ user_id: int(), messages: nodes() }),
    result: s.forwardSendResult,
  }),
  send_forward_msg: action({
    owner: 'session',
    origin: 'go-cqhttp',
    status: 'planned',
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
    summary: 'Up to 20 group messages ending at message_seq (latest when absent).',
    params: params({ group_id: int(), message_seq: int() }),
    result: z.looseObject({ messages: z.array(s.messageEvent) }),
  }),
  get_friend_msg_history: action({
    owner: 'history',
    origin: 'nt',
    status: 'planned',
    summary: 'Private messages with a friend ending at message_seq.',
    params: params({
      user_id: int(),
      message_seq: int(),
      count: int(20),
      reverse_order: bool(),
    }),
    result: z.looseObject({ messages: z.array(s.messageEvent) }),
  }),
  mark_msg_as_read: action({
    owner: 'session',
    origin: 'go-cqhttp',
    status: 'planned',
    summary: 'Mark a message as read.',
    params: byMessageId,
    result: s.nothing,
  }),
  mark_private_msg_as_read: action({
    owner: 'session',
    origin: 'nt',
    status: 'planned',
    summary: 'Mark a private chat as read.',
    params: params({ user_id: int() }),
    result: s.nothing,
  }),
  mark_group_msg_as_read: action({
    owner: 'session',
    origin: 'nt',
    status: 'planned',
    summary: 'Mark a group chat as read.',
    params: params({ group_id: int() }),
    result: s.nothing,
  }),
  set_msg_emoji_like: action({
    owner: 'session',
    origin: 'nt',
    status: 'planned',
    summary: 'Add or remove an emoji reaction on a message.',
    params: params({ message_id: int32(), emoji_id: str(), set: bool(true) }),
    result: s.nothing,
  }),
  get_recent_contact: action({
    owner: 'session',
    origin: 'nt',
    status: 'planned',
    summary: 'The most recent chats with their last message.',
    params: params({ count: int(10) }),
    result: s.anyArray,
  }),
  set_essence_msg: action({
    owner: 'session',
    origin: 'go-cqhttp',
    status: 'planned',
    summary: 'Make a group message essence.',
    params: byMessageId,
    result: s.nothing,
  }),
  delete_essence_msg: action({
    owner: 'session',
    origin: 'go-cqhttp',
    status: 'planned',
    summary: 'Remove a message from essence.',
    params: byMessageId,
    result: s.nothing,
  }),
  get_essence_msg_list: action({
    owner: 'session',
    origin: 'go-cqhttp',
    status: 'planned',
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
