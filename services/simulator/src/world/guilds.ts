/** QQ guilds (channels): a small static model enough for go-cqhttp's guild actions. */
import { SimError, type SimGuild } from '@cqfleet/sim-client';
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

let guildSeq = 1;

export function sendGuildMessage(
  w: WorldState,
  actor: number,
  guildId: string,
  channelId: string,
): { seq: number; time: number } {
  const g = memberGuild(w, actor, guildId);
  if (!g.channels.some(c => c.channel_id === channelId))
    throw new SimError('GUILD_NOT_MATCH', `channel ${channelId} not found`);
  return { seq: guildSeq++, time: now() };
}

type RoleOp =
  | {
      action: 'create';
      guild_id: string;
      name: string;
      color: number;
      independent: boolean;
      users: string[];
    }
  | { action: 'delete'; guild_id: string; role_id: string }
  | {
      action: 'update';
      guild_id: string;
      role_id: string;
      name: string;
      color: number;
      independent: boolean;
    }
  | { action: 'assign'; guild_id: string; role_id: string; users: string[]; set: boolean };

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
