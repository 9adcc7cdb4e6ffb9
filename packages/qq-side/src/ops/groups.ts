/** The QQ side's operations on groups: members, roles, bans, titles, notices, requests. */
import { z } from 'zod';
import { Group, GroupSystemMessages, HonorInfo, Member, Notice } from '../models.js';
import { type OpSpec, none, ok, op } from '../op.js';
import { flag, int, optInt, text } from '../wire.js';

export const groupOps = {
  get_groups: op(none, z.array(Group)),
  get_group: op(z.object({ group_id: int }), Group),
  get_members: op(z.object({ group_id: int }), z.array(Member)),
  get_member: op(z.object({ group_id: int, user_id: int }), Member),
  kick: op(z.object({ group_id: int, user_id: int, reject_add_request: flag }), ok),
  ban: op(z.object({ group_id: int, user_id: int, duration: int }), ok),
  ban_anonymous: op(z.object({ group_id: int, flag: text, duration: int }), ok),
  whole_ban: op(z.object({ group_id: int, enable: flag }), ok),
  set_admin: op(z.object({ group_id: int, user_id: int, enable: flag }), ok),
  set_anonymous: op(z.object({ group_id: int, enable: flag }), ok),
  set_card: op(z.object({ group_id: int, user_id: int, card: text }), ok),
  set_group_name: op(z.object({ group_id: int, name: text }), ok),
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
} satisfies Record<string, OpSpec>;
