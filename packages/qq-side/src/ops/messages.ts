/** The QQ side's operations on messages: sends, forwards, stored messages, recalls, essence, reactions, media. */
import { z } from 'zod';
import {
  Essence,
  ForwardNode,
  ForwardNodeInput,
  GroupHistoryMessage,
  RecentContact,
  SentMessage,
  StoredMessage,
} from '../models.js';
import { type OpSpec, mediaKind, ok, op, withChat } from '../op.js';
import { elements, flag, int, optInt, text } from '../wire.js';

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
  react: op(z.object({ group_id: int, seq: int, emoji_id: text, set: flag }), ok),
  mark_read: op(z.object({ group_id: optInt, user_id: optInt, seq: optInt }), ok),
  get_recent_contacts: op(z.object({ count: int }), z.array(RecentContact)),
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
