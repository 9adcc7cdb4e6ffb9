/** QQ guilds (channels): a small static model enough for go-cqhttp's guild actions. */
import { isEmptyMessage, type Segment } from '@cqfleet/onebot';
import { type Ops, SimError, type SimGuild } from '@cqfleet/sim-client';
import { tinyId } from './build.js';
import { newId, now, type WorldState } from './state.js';

export function guildsOf(w: WorldState, uin: number): SimGuild[] {
  const me = tinyId(uin);
  return [...w.guilds.values()]
    .filter(g => g.members.some(m => m.tiny_id === me))
    .map(g => ({ ...g, self_tiny_id: me }));
}

function memberGuild(w: WorldState, uin: number, guildId: string): SimGuild {
  const g = w.guilds.get(guildId);
  if (!g || !g.members.some(m => m.tiny_id === tinyId(uin)))
    throw new SimError('GUILD_NOT_MATCH', `guild ${guildId} not found`);
  return g;
}

interface GuildMessage {
  guild_id: string;
  channel_id: string;
  seq: number;
  time: number;
  sender_tiny_id: string;
  sender_nickname: string;
  elements: Segment[];
}

/** Guild messages of each world, kept outside WorldState as only guilds use them. */
const guildMessages = new WeakMap<WorldState, Map<string, GuildMessage>>();

function messagesOf(w: WorldState): Map<string, GuildMessage> {
  let m = guildMessages.get(w);
  if (!m) guildMessages.set(w, (m = new Map()));
  return m;
}

export function sendGuildMessage(
  w: WorldState,
  actor: number,
  guildId: string,
  channelId: string,
  elements: Segment[],
): { seq: number; time: number } {
  const g = memberGuild(w, actor, guildId);
  if (!g.channels.some(c => c.channel_id === channelId))
    throw new SimError('GUILD_NOT_MATCH', `channel ${channelId} not found`);
  if (isEmptyMessage(elements)) throw new SimError('EMPTY_MSG_ERROR', 'empty message');
  const messages = messagesOf(w);
  const seq = messages.size + 1;
  const time = now();
  messages.set(`${guildId}/${channelId}/${seq}`, {
    guild_id: guildId,
    channel_id: channelId,
    seq,
    time,
    sender_tiny_id: tinyId(actor),
    sender_nickname: w.user(actor).profile.nickname,
    elements,
  });
  return { seq, time };
}

export function getGuildMessage(
  w: WorldState,
  actor: number,
  guildId: string,
  channelId: string,
  seq: number,
): GuildMessage {
  memberGuild(w, actor, guildId);
  const m = messagesOf(w).get(`${guildId}/${channelId}/${seq}`);
  if (!m) throw new SimError('MSG_NOT_FOUND', `no guild message ${seq}`);
  return m;
}

type RoleOp = Ops['guild_role']['args'];

export function guildRole(w: WorldState, actor: number, op: RoleOp): { role_id: string } {
  const g = memberGuild(w, actor, op.guild_id);
  if (op.action === 'create') {
    const role_id = String(parseInt(newId(3), 16));
    g.roles.push({
      role_id,
      role_name: op.name,
      argb_color: op.color,
      independent: op.independent,
      member_count: op.users.length,
      max_count: 0,
      owned: false,
      disabled: false,
    });
    return { role_id };
  }
  const role = g.roles.find(r => r.role_id === op.role_id);
  if (!role) throw new SimError('API_ERROR', `role ${op.role_id} not found`);
  if (op.action === 'delete') g.roles = g.roles.filter(r => r !== role);
  else if (op.action === 'update')
    Object.assign(role, { role_name: op.name, argb_color: op.color, independent: op.independent });
  else
    role.member_count = Math.max(
      0,
      role.member_count + (op.set ? op.users.length : -op.users.length),
    );
  return { role_id: role.role_id };
}
