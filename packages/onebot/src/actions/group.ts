/** Group information and administration (reference §1.4 "Group administration", §1.5). */
import { z } from 'zod';
import { action } from '../action.js';
import { bool, int, json, optionalInt, optionalStr, params, str } from '../params.js';
import * as s from './shapes.js';

const groupOnly = params({ group_id: int() });

/**
 * A list of QQ numbers: an array of integers or decimal strings (NapCat sends strings), one
 * number, or a comma-separated string (from a query string); absent is the empty list.
 */
function intList() {
  return z.preprocess(
    v =>
      v === undefined || v === null || v === ''
        ? []
        : Array.isArray(v)
          ? v
          : typeof v === 'string'
            ? v.split(',')
            : [v],
    z.array(int()),
  );
}

/** go-cqhttp's group, with NapCat's `group_remark` and `group_all_shut` where cqfleet has them. */
const groupInfo = s.groupInfo.extend({
  group_remark: z.string().optional(),
  group_all_shut: z.number().optional(),
});

export const groupActions = {
  get_group_info: action({
    owner: 'session',
    origin: 'onebot11',
    status: 'ready',
    summary: 'One group: one the account is in, or the public part of any other.',
    params: params({ group_id: int(), no_cache: bool() }),
    result: groupInfo,
  }),
  get_group_list: action({
    owner: 'session',
    origin: 'onebot11',
    status: 'ready',
    summary: 'Every group the account is in.',
    params: params({ no_cache: bool() }),
    result: z.array(groupInfo),
  }),
  get_group_member_info: action({
    owner: 'session',
    origin: 'onebot11',
    status: 'ready',
    summary: 'One member of a group.',
    params: params({ group_id: int(), user_id: int(), no_cache: bool() }),
    result: s.memberInfo,
  }),
  get_group_member_list: action({
    owner: 'session',
    origin: 'onebot11',
    status: 'ready',
    summary: 'Every member of a group.',
    params: params({ group_id: int(), no_cache: bool() }),
    result: z.array(s.memberInfo),
  }),
  get_group_honor_info: action({
    owner: 'session',
    origin: 'onebot11',
    status: 'ready',
    summary: 'Honours of a group (talkative, performer, legend, strong_newbie, emotion, all).',
    params: params({ group_id: int(), type: str('all') }),
    result: z.looseObject({
      group_id: z.number(),
      current_talkative: z
        .looseObject({
          user_id: z.number(),
          nickname: z.string(),
          avatar: z.string(),
          day_count: z.number(),
        })
        .optional(),
      talkative_list: z.array(s.honorItem).optional(),
      performer_list: z.array(s.honorItem).optional(),
      legend_list: z.array(s.honorItem).optional(),
      strong_newbie_list: z.array(s.honorItem).optional(),
      emotion_list: z.array(s.honorItem).optional(),
    }),
  }),
  set_group_kick: action({
    owner: 'session',
    origin: 'onebot11',
    status: 'ready',
    summary: 'Remove a member from a group.',
    params: params({
      group_id: int(),
      user_id: int(),
      message: str(),
      reject_add_request: bool(),
    }),
    result: s.nothing,
  }),
  set_group_ban: action({
    owner: 'session',
    origin: 'onebot11',
    status: 'ready',
    summary: 'Mute a member for `duration` seconds (0 lifts the ban).',
    params: params({ group_id: int(), user_id: int(), duration: int(1800) }),
    result: s.nothing,
  }),
  set_group_anonymous_ban: action({
    owner: 'session',
    origin: 'onebot11',
    status: 'ready',
    summary: 'Mute an anonymous sender by its flag.',
    params: params(
      { group_id: int(), anonymous: json(), anonymous_flag: str(), duration: int(1800) },
      { anonymous_flag: ['flag'] },
    ),
    result: s.nothing,
  }),
  set_group_whole_ban: action({
    owner: 'session',
    origin: 'onebot11',
    status: 'ready',
    summary: 'Mute or unmute the whole group.',
    params: params({ group_id: int(), enable: bool(true) }),
    result: s.nothing,
  }),
  set_group_admin: action({
    owner: 'session',
    origin: 'onebot11',
    status: 'ready',
    summary: 'Make or unmake an admin (the bot must be the owner).',
    params: params({ group_id: int(), user_id: int(), enable: bool(true) }),
    result: s.nothing,
  }),
  set_group_anonymous: action({
    owner: 'session',
    origin: 'onebot11',
    status: 'ready',
    summary: 'Allow or forbid anonymous chat.',
    params: params({ group_id: int(), enable: bool(true) }),
    result: s.nothing,
  }),
  set_group_card: action({
    owner: 'session',
    origin: 'onebot11',
    status: 'ready',
    summary: "Set a member's group card (empty removes it).",
    params: params({ group_id: int(), user_id: int(), card: str() }),
    result: s.nothing,
  }),
  set_group_name: action({
    owner: 'session',
    origin: 'onebot11',
    status: 'ready',
    summary: 'Rename a group.',
    params: params({ group_id: int(), group_name: str() }),
    result: s.nothing,
  }),
  set_group_leave: action({
    owner: 'session',
    origin: 'onebot11',
    status: 'ready',
    summary: 'Leave a group, or dismiss it when the bot owns it and is_dismiss is set.',
    params: params({ group_id: int(), is_dismiss: bool() }),
    result: s.nothing,
  }),
  set_group_special_title: action({
    owner: 'session',
    origin: 'onebot11',
    status: 'ready',
    summary: "Set a member's special title (owner only).",
    params: params({ group_id: int(), user_id: int(), special_title: str(), duration: int(-1) }),
    result: s.nothing,
  }),
  set_group_add_request: action({
    owner: 'session',
    origin: 'onebot11',
    status: 'ready',
    summary: 'Approve or reject a join request or an invitation.',
    params: params(
      { flag: str(), sub_type: str(), approve: bool(true), reason: str() },
      { sub_type: ['type'] },
    ),
    result: s.nothing,
  }),
  set_group_portrait: action({
    owner: 'session',
    origin: 'go-cqhttp',
    status: 'ready',
    summary: "Set a group's avatar from an image source.",
    params: params({ group_id: int(), file: str(), cache: int(1) }),
    result: s.nothing,
  }),
  send_group_sign: action({
    owner: 'session',
    origin: 'go-cqhttp',
    status: 'ready',
    summary: 'Check in to a group.',
    params: groupOnly,
    result: s.nothing,
  }),
  get_group_at_all_remain: action({
    owner: 'session',
    origin: 'go-cqhttp',
    status: 'ready',
    summary: 'How many @all the group and the bot have left today.',
    params: groupOnly,
    result: z.looseObject({
      can_at_all: z.boolean(),
      remain_at_all_count_for_group: z.number(),
      remain_at_all_count_for_uin: z.number(),
    }),
  }),
  get_group_system_msg: action({
    owner: 'session',
    origin: 'go-cqhttp',
    status: 'ready',
    summary: 'Pending invitations and join requests (an empty list is [], as NT servers answer).',
    params: params({}),
    result: z.looseObject({
      invited_requests: z.array(s.loose),
      join_requests: z.array(s.loose),
    }),
  }),
  get_group_shut_list: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: 'Members currently muted in a group.',
    params: groupOnly,
    result: z.array(s.loose),
  }),
  group_poke: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: 'Poke a group member.',
    params: params({ group_id: int(), user_id: int() }),
    result: s.nothing,
  }),
  set_group_sign: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: "Check in to a group (NapCat's name for send_group_sign).",
    params: groupOnly,
    result: s.nothing,
  }),
  set_group_kick_members: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: 'Remove several members at once, all or none (NapCat; `user_ids` also read).',
    params: params(
      { group_id: int(), user_id: intList(), reject_add_request: bool() },
      { user_id: ['user_ids'] },
    ),
    result: s.nothing,
  }),
  batch_delete_group_member: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: 'Remove several members at once, all or none (LLOneBot; `user_id` also read).',
    params: params({ group_id: int(), user_ids: intList() }, { user_ids: ['user_id'] }),
    result: s.nothing,
  }),
  set_group_remark: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary:
      "The account's own remark for a group (`group_remark` in its reads; empty removes it).",
    params: params({ group_id: int(), remark: str() }),
    result: s.nothing,
  }),
  get_group_msg_mask: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: "How the account receives each group's messages (msg_mask 1–4, msg_type in words).",
    params: params({ group_id: optionalInt() }),
    result: z.array(
      z.looseObject({
        group_id: z.number(),
        group_name: z.string(),
        msg_mask: z.number(),
        msg_type: z.string(),
      }),
    ),
  }),
  set_group_msg_mask: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: "Set how the account receives a group's messages (mask 1–4, LLOneBot).",
    params: params({ group_id: int(), mask: int() }),
    result: s.nothing,
  }),
  get_ai_characters: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: 'AI voice characters of a group, by category (chat_type 1 speaking, 2 singing).',
    params: params({ group_id: int(), chat_type: int(1) }),
    result: z.array(
      z.looseObject({
        type: z.string(),
        characters: z.array(
          z.looseObject({
            character_id: z.string(),
            character_name: z.string(),
            preview_url: z.string(),
          }),
        ),
      }),
    ),
  }),
  get_ai_record: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: 'The URL of an AI character saying a text in a group (not sent).',
    params: params({ group_id: int(), character: str(), text: str() }),
    result: z.string(),
  }),
  send_group_ai_record: action({
    owner: 'session',
    origin: 'nt',
    status: 'ready',
    summary: 'Send an AI character saying a text to a group, as a voice message.',
    params: params({ group_id: int(), character: str(), text: str(), chat_type: int(1) }),
    result: s.messageIdResult,
  }),
  _send_group_notice: action({
    owner: 'session',
    origin: 'go-cqhttp',
    status: 'ready',
    summary: 'Publish a group notice (admins and owner).',
    params: params({ group_id: int(), content: str(), image: optionalStr() }),
    result: z.looseObject({ notice_id: z.string() }),
  }),
  _get_group_notice: action({
    owner: 'session',
    origin: 'go-cqhttp',
    status: 'ready',
    summary: "A group's notices.",
    params: groupOnly,
    result: z.array(
      z.looseObject({
        notice_id: z.string(),
        sender_id: z.number(),
        publish_time: z.number(),
        message: z.looseObject({ text: z.string(), images: z.array(s.loose) }),
      }),
    ),
  }),
  _del_group_notice: action({
    owner: 'session',
    origin: 'go-cqhttp',
    status: 'ready',
    summary: 'Delete a group notice.',
    params: params({ group_id: int(), notice_id: str() }),
    result: s.nothing,
  }),
} as const;
