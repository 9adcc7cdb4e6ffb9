/**
 * The QQ side's operations on groups: members, roles, bans, titles, notices, requests, and the
 * NT-era remarks, message masks and AI voices.
 */
import { z } from 'zod';
import { Group, GroupSystemMessages, HonorInfo, Member, Notice, SentMessage } from '../models.js';
import { type OpSpec, none, ok, op } from '../op.js';
import { flag, int, optInt, text } from '../wire.js';

/**
 * A group as one account sees it: the group's own information, with that account's remark
 * (`group_remark`, `""` when none) and whether the whole group is muted (`group_all_shut`: -1
 * when it is, 0 when not — NapCat's names and values).
 */
export const GroupView = Group.extend({ group_remark: z.string(), group_all_shut: z.number() });
export type GroupView = z.infer<typeof GroupView>;

/**
 * How an account receives a group's messages (QQ's 消息设置): 1 receive and notify, 2 into the
 * group assistant without notifying, 3 blocked, 4 receive without notifying.
 */
export const MsgMask = z.object({
  group_id: z.number(),
  group_name: z.string(),
  msg_mask: z.number(),
});
export type MsgMask = z.infer<typeof MsgMask>;

/** A category of AI voices (`type`) and its characters, as QQ lists them in a group. */
export const AiCharacterCategory = z.object({
  type: z.string(),
  characters: z.array(
    z.object({ character_id: z.string(), character_name: z.string(), preview_url: z.string() }),
  ),
});
export type AiCharacterCategory = z.infer<typeof AiCharacterCategory>;

/** An AI voice: `character` (an id get_ai_characters lists) saying `text` in a group. */
const aiVoice = z.object({ group_id: int, character: text, text });

export const groupOps = {
  get_groups: op(none, z.array(GroupView)),
  get_group: op(z.object({ group_id: int }), GroupView),
  /**
   * The public part of any existing group, member or not (what QQ shows of a group found by
   * its number): `group_id`, `group_name`, `group_memo`, `member_count` and
   * `max_member_count`; `group_create_time` and `group_level` are 0, `group_remark` is `""`
   * and `group_all_shut` 0. GROUP_NOT_FOUND when there is no such group.
   */
  find_group: op(z.object({ group_id: int }), GroupView),
  get_members: op(z.object({ group_id: int }), z.array(Member)),
  get_member: op(z.object({ group_id: int, user_id: int }), Member),
  kick: op(z.object({ group_id: int, user_id: int, reject_add_request: flag }), ok),
  /**
   * Kicks several members at once under kick's rules, all or none: every one must be a member
   * the actor may kick, or nobody is kicked. Duplicates count once; an empty list is refused.
   */
  kick_members: op(
    z.object({ group_id: int, user_ids: z.array(int), reject_add_request: flag }),
    ok,
  ),
  ban: op(z.object({ group_id: int, user_id: int, duration: int }), ok),
  ban_anonymous: op(z.object({ group_id: int, flag: text, duration: int }), ok),
  whole_ban: op(z.object({ group_id: int, enable: flag }), ok),
  set_admin: op(z.object({ group_id: int, user_id: int, enable: flag }), ok),
  set_anonymous: op(z.object({ group_id: int, enable: flag }), ok),
  set_card: op(z.object({ group_id: int, user_id: int, card: text }), ok),
  set_group_name: op(z.object({ group_id: int, name: text }), ok),
  /** The actor's own remark for a group it is in (`""` removes it); only the actor sees it. */
  set_group_remark: op(z.object({ group_id: int, remark: text }), ok),
  /** The actor's message mask of every group it is in (1 for groups never set). */
  get_msg_masks: op(none, z.array(MsgMask)),
  /** Sets the actor's message mask of a group it is in: 1–4 (MsgMask), else INVALID_PARAMS. */
  set_msg_mask: op(z.object({ group_id: int, mask: int }), ok),
  leave_group: op(z.object({ group_id: int, dismiss: flag }), ok),
  set_title: op(z.object({ group_id: int, user_id: int, title: text }), ok),
  set_portrait: op(z.object({ group_id: int, image: text }), ok),
  sign_in: op(z.object({ group_id: int }), ok),
  get_at_all_remain: op(
    z.object({ group_id: int }),
    z.object({
      can_at_all: z.boolean(),
      remain_at_all_count_for_group: z.number(),
      remain_at_all_count_for_uin: z.number(),
    }),
  ),
  get_honors: op(z.object({ group_id: int }), HonorInfo),
  get_shut_list: op(z.object({ group_id: int }), z.array(Member)),
  send_notice: op(
    z.object({
      group_id: int,
      content: text,
      image: z.string().optional(),
      width: optInt,
      height: optInt,
    }),
    z.object({ notice_id: z.string() }),
  ),
  get_notices: op(z.object({ group_id: int }), z.array(Notice)),
  delete_notice: op(z.object({ group_id: int, notice_id: text }), ok),
  get_system_messages: op(none, GroupSystemMessages),
  handle_group_request: op(z.object({ flag: text, approve: flag, reason: text }), ok),
  /** AI voice characters of a group the actor is in: `chat_type` 1 (or absent) speak, 2 sing. */
  get_ai_characters: op(
    z.object({ group_id: int, chat_type: optInt }),
    z.array(AiCharacterCategory),
  ),
  /** Makes `character` say `text` (or sing it, for a singing character): the voice's URL. */
  get_ai_record: op(aiVoice, z.object({ url: z.string() })),
  /** The same voice, sent to the group as a `record` message under the usual sending rules. */
  send_ai_record: op(aiVoice, SentMessage),
} satisfies Record<string, OpSpec>;
