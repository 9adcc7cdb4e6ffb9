/**
 * QQ guilds (reference §1.5 "Guild"): ids in responses are strings; a guild message id is
 * `<guild>-<channel>-<seq>` so that `get_guild_msg` can find it again.
 */
import { checkMessage, fail, formatMessage } from '@cqfleet/onebot';
import type { SimGuild } from '@cqfleet/sim-client';
import { prepareOutgoing } from '../segments/outgoing.js';
import type { ActionContext, SessionHandlers } from '../actions/context.js';

async function guild(ctx: ActionContext, guildId: string): Promise<SimGuild> {
  const g = (await ctx.qq.call('get_guilds', {})).find(x => x.guild_id === guildId);
  return g ?? fail('GUILD_NOT_MATCH', `频道 ${guildId} 不存在`);
}

export const guildHandlers = {
  get_guild_service_profile: async (_p, ctx) => {
    const self = await ctx.qq.self();
    const any = (await ctx.qq.call('get_guilds', {}))[0];
    return {
      nickname: self.nickname,
      tiny_id: any?.self_tiny_id ?? '',
      avatar_url: `https://q1.qlogo.cn/g?b=qq&nk=${self.user_id}&s=640`,
    };
  },
  get_guild_list: async (_p, ctx) =>
    (await ctx.qq.call('get_guilds', {})).map(g => ({
      guild_id: g.guild_id,
      guild_name: g.guild_name,
      guild_display_id: g.guild_display_id,
    })),
  get_guild_meta_by_guest: async (p, ctx) => {
    const g = await guild(ctx, p.guild_id);
    return {
      guild_id: g.guild_id,
      guild_name: g.guild_name,
      guild_profile: '',
      create_time: g.channels[0]?.create_time ?? 0,
      max_member_count: 3000,
      max_robot_count: 50,
      max_admin_count: 50,
      member_count: g.members.length,
      owner_id: g.members[0]?.tiny_id ?? '',
    };
  },
  get_guild_channel_list: async (p, ctx) =>
    (await guild(ctx, p.guild_id)).channels.map(c => ({
      ...c,
      talk_permission: 1,
      visible_type: 1,
      current_slow_mode: 0,
      slow_modes: [],
    })),
  get_guild_member_list: async (p, ctx) => ({
    members: (await guild(ctx, p.guild_id)).members,
    finished: true,
    next_token: '',
  }),
  get_guild_member_profile: async (p, ctx) => {
    const m = (await guild(ctx, p.guild_id)).members.find(x => x.tiny_id === p.user_id);
    if (!m) return fail('MEMBER_NOT_FOUND');
    return {
      tiny_id: m.tiny_id,
      nickname: m.nickname,
      avatar_url: '',
      join_time: 0,
      roles: [{ role_id: m.role_id, role_name: m.role_name }],
    };
  },
  get_guild_roles: async (p, ctx) => (await guild(ctx, p.guild_id)).roles,
  create_guild_role: (p, ctx) =>
    ctx.qq.call('guild_role', {
      action: 'create',
      guild_id: p.guild_id,
      name: p.name,
      color: p.color,
      independent: p.independent,
      users: Array.isArray(p.initial_users) ? p.initial_users.map(String) : [],
    }),
  delete_guild_role: async (p, ctx) => (
    await ctx.qq.call('guild_role', {
      action: 'delete',
      guild_id: p.guild_id,
      role_id: p.role_id,
    }),
    null
  ),
  update_guild_role: async (p, ctx) => (
    await ctx.qq.call('guild_role', {
      action: 'update',
      guild_id: p.guild_id,
      role_id: p.role_id,
      name: p.name,
      color: p.color,
      independent: p.indepedent,
    }),
    null
  ),
  set_guild_member_role: async (p, ctx) => (
    await ctx.qq.call('guild_role', {
      action: 'assign',
      guild_id: p.guild_id,
      role_id: p.role_id,
      set: p.set,
      users: Array.isArray(p.users) ? p.users.map(String) : [],
    }),
    null
  ),
  get_topic_channel_feeds: async (p, ctx) => (await guild(ctx, p.guild_id), []),
  send_guild_channel_msg: async (p, ctx) => {
    // A channel is neither a group nor a friend: replies and group-only segments do not apply.
    const refusal = checkMessage(p.message);
    if (refusal) fail(refusal.tag, refusal.wording);
    const out = await prepareOutgoing(ctx, p.message, { user_id: 0 });
    if (out.kind !== 'message') return fail('SEND_MSG_API_ERROR', '频道消息不支持戳一戳与礼物');
    const sent = await ctx.qq.call('send_guild_msg', {
      guild_id: p.guild_id,
      channel_id: p.channel_id,
      elements: out.elements,
    });
    return { message_id: `${p.guild_id}-${p.channel_id}-${sent.seq}` };
  },
  get_guild_msg: async (p, ctx) => {
    const [guildId, channelId, seq] = p.message_id.split('-');
    if (!guildId || !channelId || !seq || !/^\d+$/.test(seq)) return fail('MSG_NOT_FOUND');
    const m = await ctx.qq.call('get_guild_msg', {
      guild_id: guildId,
      channel_id: channelId,
      seq: Number(seq),
    });
    return {
      guild_id: m.guild_id,
      channel_id: m.channel_id,
      message_id: p.message_id,
      message_seq: m.seq,
      message_source: 'channel',
      time: m.time,
      sender: { tiny_id: m.sender_tiny_id, nickname: m.sender_nickname },
      message: formatMessage(m.elements, ctx.format),
    };
  },
} satisfies SessionHandlers;
