/**
 * Groups: information and administration (reference §1.4 "Group administration", §1.5), and
 * the NT-era group actions (§2.4: check-in, batch kicks, remarks, message masks, AI voices).
 */
import { sentEventId } from '@cqfleet/contracts';
import { fail, OneBotError } from '@cqfleet/onebot';
import type { Ops, SimHonorMember, SimMember } from '@cqfleet/sim-client';
import { groupMessageEvent } from '../events/normalize.js';
import { incomingSegments } from '../segments/incoming.js';
import { resolveMedia } from '../segments/media.js';
import type { ActionContext, SessionHandlers } from '../actions/context.js';
import { asFailure, driverOp } from '../actions/helpers.js';

/** go-cqhttp's group object, with NapCat's `group_remark` (this account's) and `group_all_shut`. */
export function groupInfo(g: Ops['get_group']['result']) {
  return {
    group_id: g.group_id,
    group_name: g.group_name,
    group_memo: g.group_memo,
    group_create_time: g.group_create_time,
    group_level: g.group_level,
    member_count: g.member_count,
    max_member_count: g.max_member_count,
    group_remark: g.group_remark,
    group_all_shut: g.group_all_shut,
  };
}

/** QQ's words for the message masks (msg_type of get_group_msg_mask). */
const MASK_TYPES: Readonly<Record<number, string>> = {
  1: '接收并提醒',
  2: '收进群助手且不提醒',
  3: '屏蔽群消息',
  4: '接收但不提醒',
};

/**
 * Sends an AI voice to a group and records it as `message_sent`, as any sent message is
 * (message.ts `sendMessage`): history stores it, and the id answered finds it.
 */
async function sendAiRecord(
  ctx: ActionContext,
  p: { group_id: number; character: string; text: string },
): Promise<{ message_id: number }> {
  const { account, qq } = ctx;
  const self = await account.selfMember(p.group_id);
  const sent = await qq.call('send_ai_record', {
    group_id: p.group_id,
    character: p.character,
    text: p.text,
  });
  const event = groupMessageEvent({
    selfId: account.uin,
    postType: 'message_sent',
    groupId: p.group_id,
    seq: sent.seq,
    time: sent.time,
    sender: self,
    elements: incomingSegments(sent.elements, p.group_id, {
      extraReplyData: ctx.options.extraReplyData,
    }),
  });
  account.stats.messageSent++;
  await account.publish(sentEventId(account.uin, 'g', p.group_id, sent.seq), event);
  return { message_id: event.message_id };
}

/** go-cqhttp's member object: `level` is a string, `unfriendly` and `card_changeable` false. */
export function memberInfo(m: SimMember) {
  return {
    group_id: m.group_id,
    user_id: m.user_id,
    nickname: m.nickname,
    card: m.card,
    sex: m.sex,
    age: m.age,
    area: m.area,
    join_time: m.join_time,
    last_sent_time: m.last_sent_time,
    level: m.level,
    role: m.role,
    unfriendly: false,
    title: m.title,
    title_expire_time: m.title_expire_time,
    card_changeable: false,
    shut_up_timestamp: m.shut_up_timestamp,
  };
}

const HONOR_TYPES = ['talkative', 'performer', 'legend', 'strong_newbie', 'emotion'] as const;

export const groupHandlers = {
  /**
   * A group the account is in; else the public part of any existing group, as QQ shows a group
   * found by its number (invite handlers ask on request.group.invite): group_id, group_name,
   * group_memo, member_count, max_member_count — group_create_time and group_level are 0.
   */
  get_group_info: async (p, { qq }) => {
    try {
      return groupInfo(await qq.call('get_group', { group_id: p.group_id }));
    } catch (err) {
      if (!(err instanceof OneBotError) || err.msg !== 'GROUP_NOT_FOUND') throw err;
      return groupInfo(await qq.call('find_group', { group_id: p.group_id }));
    }
  },
  get_group_list: async (_p, { qq }) => (await qq.call('get_groups', {})).map(groupInfo),
  get_group_member_info: async (p, { qq }) =>
    memberInfo(await qq.call('get_member', { group_id: p.group_id, user_id: p.user_id })),
  get_group_member_list: async (p, { qq }) =>
    (await qq.call('get_members', { group_id: p.group_id })).map(memberInfo),
  /** Only the lists for the requested type are filled (`all` fills every one). */
  get_group_honor_info: async (p, { qq }) => {
    const h = await qq.call('get_honors', { group_id: p.group_id });
    const want = (t: string) => p.type === 'all' || p.type === t;
    const out: Record<string, unknown> = { group_id: h.group_id };
    if (want('talkative') && h.current_talkative) out.current_talkative = h.current_talkative;
    for (const t of HONOR_TYPES)
      if (want(t)) out[`${t}_list`] = h[`${t}_list`] satisfies SimHonorMember[];
    return out as { group_id: number };
  },
  get_group_at_all_remain: (p, { qq }) =>
    asFailure('GROUP_REMAIN_API_ERROR', () =>
      qq.call('get_at_all_remain', { group_id: p.group_id }),
    ),
  /** NT clients read the lists as arrays: empty is [], where go-cqhttp says null. */
  get_group_system_msg: (_p, { qq }) =>
    asFailure('SYSTEM_MSG_API_ERROR', async () => {
      const m = await qq.call('get_system_messages', {});
      return {
        ...m,
        invited_requests: m.invited_requests ?? [],
        join_requests: m.join_requests ?? [],
      };
    }),
  get_group_shut_list: async (p, { qq }) =>
    (await qq.call('get_shut_list', { group_id: p.group_id })).map(memberInfo),

  set_group_kick: driverOp('kick', p => ({
    group_id: p.group_id,
    user_id: p.user_id,
    reject_add_request: p.reject_add_request,
  })),
  set_group_ban: driverOp('ban', p => ({
    group_id: p.group_id,
    user_id: p.user_id,
    duration: p.duration,
  })),
  /** The flag comes from `anonymous_flag` (or `flag`), else from the `anonymous` object. */
  set_group_anonymous_ban: async (p, { qq }) => {
    const fromObject =
      typeof p.anonymous === 'object' && p.anonymous !== null
        ? (p.anonymous as { flag?: unknown }).flag
        : undefined;
    const flag = p.anonymous_flag || (typeof fromObject === 'string' ? fromObject : '');
    if (!flag) fail('INVALID_FLAG');
    await qq.call('ban_anonymous', {
      group_id: p.group_id,
      flag,
      duration: p.duration,
    });
    return null;
  },
  set_group_whole_ban: driverOp('whole_ban', p => ({ group_id: p.group_id, enable: p.enable })),
  set_group_admin: driverOp('set_admin', p => ({
    group_id: p.group_id,
    user_id: p.user_id,
    enable: p.enable,
  })),
  set_group_anonymous: driverOp('set_anonymous', p => ({ group_id: p.group_id, enable: p.enable })),
  set_group_card: driverOp('set_card', p => ({
    group_id: p.group_id,
    user_id: p.user_id,
    card: p.card,
  })),
  set_group_name: driverOp('set_group_name', p => ({ group_id: p.group_id, name: p.group_name })),
  set_group_leave: driverOp('leave_group', p => ({ group_id: p.group_id, dismiss: p.is_dismiss })),
  set_group_special_title: driverOp('set_title', p => ({
    group_id: p.group_id,
    user_id: p.user_id,
    title: p.special_title,
  })),
  set_group_add_request: driverOp('handle_group_request', p => ({
    flag: p.flag,
    approve: p.approve,
    reason: p.reason,
  })),
  set_group_portrait: async (p, ctx) => {
    const image = await resolveMedia(ctx, p.file, 'LOAD_FILE_ERROR', { cache: String(p.cache) });
    await ctx.qq.call('set_portrait', { group_id: p.group_id, image: image.name });
    return null;
  },
  send_group_sign: driverOp('sign_in', p => ({ group_id: p.group_id })),
  group_poke: driverOp('poke', p => ({ group_id: p.group_id, user_id: p.user_id })),

  // --- NT-era (NapCat's names; LLOneBot's where only it has one) ---------------------------
  set_group_sign: driverOp('sign_in', p => ({ group_id: p.group_id })),
  set_group_kick_members: driverOp('kick_members', p => ({
    group_id: p.group_id,
    user_ids: p.user_id,
    reject_add_request: p.reject_add_request,
  })),
  batch_delete_group_member: driverOp('kick_members', p => ({
    group_id: p.group_id,
    user_ids: p.user_ids,
    reject_add_request: false,
  })),
  set_group_remark: driverOp('set_group_remark', p => ({
    group_id: p.group_id,
    remark: p.remark,
  })),
  /** Every group the account is in, or only `group_id`'s when given. */
  get_group_msg_mask: async (p, { qq }) =>
    (await qq.call('get_msg_masks', {}))
      .filter(m => !p.group_id || m.group_id === p.group_id)
      .map(m => ({
        group_id: m.group_id,
        group_name: m.group_name,
        msg_mask: m.msg_mask,
        msg_type: MASK_TYPES[m.msg_mask] ?? '',
      })),
  set_group_msg_mask: driverOp('set_msg_mask', p => ({ group_id: p.group_id, mask: p.mask })),
  get_ai_characters: (p, { qq }) =>
    qq.call('get_ai_characters', { group_id: p.group_id, chat_type: p.chat_type }),
  get_ai_record: async (p, { qq }) =>
    (
      await qq.call('get_ai_record', {
        group_id: p.group_id,
        character: p.character,
        text: p.text,
      })
    ).url,
  /** The character decides whether it speaks or sings; `chat_type` is read for LLOneBot's sake. */
  send_group_ai_record: (p, ctx) => sendAiRecord(ctx, p),
  _send_group_notice: async (p, ctx) => {
    const image = p.image ? await resolveMedia(ctx, p.image, 'IMAGE_NOT_FOUND') : undefined;
    return ctx.qq.call('send_notice', {
      group_id: p.group_id,
      content: p.content,
      ...(image ? { image: image.name, width: image.width, height: image.height } : {}),
    });
  },
  _get_group_notice: (p, { qq }) =>
    asFailure('GET_NOTICE_ERROR', () => qq.call('get_notices', { group_id: p.group_id })),
  _del_group_notice: driverOp('delete_notice', p => ({
    group_id: p.group_id,
    notice_id: p.notice_id,
  })),
} satisfies SessionHandlers;
