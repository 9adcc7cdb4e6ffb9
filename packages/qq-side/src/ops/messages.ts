/** The QQ side's operations on messages: sends, forwards, stored messages, recalls, essence, reactions, media. */
import { z } from 'zod';
import {
  Essence,
  ForwardNode,
  ForwardNodeInput,
  GroupHistoryMessage,
  GroupSender,
  RecentContact,
  SentMessage,
  StoredMessage,
} from '../models.js';
import { none, type OpSpec, mediaKind, ok, op, withChat } from '../op.js';
import { elements, flag, int, optInt, text } from '../wire.js';

/**
 * A recent chat as the account's chat list shows it: the last message with its sender as the
 * chat sees them now, the friend's remark (private chats), and how many messages arrived from
 * others since the account last read the chat (`unread`, cleared by `mark_read`,
 * `mark_all_read`, and by the account sending to the chat).
 */
export const RecentChat = RecentContact.extend({
  remark: z.string(),
  unread: z.number(),
  /** For a private chat: the user, with the group-only fields empty. */
  last_sender: GroupSender,
});
export type RecentChat = z.infer<typeof RecentChat>;

/** Someone who reacted to a message with an emoji, in the order they reacted. */
export const Reactor = z.object({
  user_id: z.number().int(),
  nickname: z.string(),
  avatar: z.string(),
});
export type Reactor = z.infer<typeof Reactor>;

export const messageOps = {
  send_group_msg: op(z.object({ group_id: int, elements }), SentMessage),
  /** `group_id` makes it a temporary session started from that group. */
  send_private_msg: op(z.object({ user_id: int, elements, group_id: optInt }), SentMessage),
  send_forward: op(
    withChat({ nodes: z.array(ForwardNodeInput) }),
    SentMessage.extend({ resid: z.string() }),
  ),
  get_forward: op(z.object({ resid: text }), z.array(ForwardNode)),
  get_message: op(withChat({ seq: int, sender_id: optInt }), StoredMessage),
  /** Of the `count` seqs ending at `seq` (latest when 0), the messages that still exist. */
  get_group_messages: op(
    z.object({ group_id: int, seq: int, count: int }),
    z.array(GroupHistoryMessage),
  ),
  recall: op(withChat({ seq: int, sender_id: int }), ok),
  set_essence: op(z.object({ group_id: int, seq: int, enable: flag }), ok),
  get_essence_list: op(z.object({ group_id: int }), z.array(Essence)),
  /**
   * Adds (`set`) or removes the account's reaction; members of the group see it change with the
   * count after the change. Adding a reaction already there, or removing one that is not, changes
   * nothing and tells nobody.
   */
  react: op(z.object({ group_id: int, seq: int, emoji_id: text, set: flag }), ok),
  /** Who reacted to a group message with `emoji_id`, in the order they did. */
  get_reactions: op(z.object({ group_id: int, seq: int, emoji_id: text }), z.array(Reactor)),
  /**
   * Reads a chat (a group, or a private chat by the peer's `user_id`): its unread count becomes 0.
   * `seq` names the message read; the whole chat is read, as QQ does.
   */
  mark_read: op(z.object({ group_id: optInt, user_id: optInt, seq: optInt }), ok),
  /** Reads every chat of the account. */
  mark_all_read: op(none, ok),
  get_recent_contacts: op(z.object({ count: int }), z.array(RecentChat)),
  /**
   * Sends a copy of a stored message (named by its chat, `seq` and sender) to another chat
   * (`to_group_id`, else `to_user_id`) as the account's own message, under the rules of sending.
   */
  forward_single: op(
    withChat({ seq: int, sender_id: optInt, to_group_id: optInt, to_user_id: optInt }),
    SentMessage,
  ),
  /** The text of the voice in a stored message (QQ's speech-to-text). */
  voice_text: op(withChat({ seq: int, sender_id: optInt }), z.object({ text: z.string() })),
  /** Gives a group member one of QQ's free group gifts (`gift_id` 0–13); the group sees a gray tip. */
  send_gift: op(z.object({ group_id: int, user_id: int, gift_id: int }), ok),
  /** Where a received media name (`<md5>.image`, `.amr`, `.video`) can be fetched. */
  get_media: op(
    z.object({ kind: mediaKind, name: text }),
    z.object({ url: z.string(), size: z.number(), filename: z.string() }),
  ),
  /**
   * Where media for sending is uploaded (QQ's "highway"): `HEAD <url>/<md5>.<ext>` answers 200
   * when the network has the content, `PUT` sends it (the md5 must match).
   */
  upload_ticket: op(z.object({ kind: mediaKind }), z.object({ url: z.string() })),
} satisfies Record<string, OpSpec>;
