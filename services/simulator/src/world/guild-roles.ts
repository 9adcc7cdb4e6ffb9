/**
 * Guild roles (QQ's 身份组) under QQ's rules: only the guild's owner (频道主, role 4) and its
 * admins (管理员, role 2) create, rename, delete and assign roles; the roles QQ gives every
 * guild (普通成员 1, 频道主 4) are neither renamed nor deleted. A name is 1 to
 * MAX_ROLE_NAME_CHARS characters after trimming, and a guild holds at most MAX_ROLES roles,
 * its own included (QQ shows a handful; 32 is above any guild a client can make, and keeps one
 * member from growing the guild without end).
 */
import { type Ops, SimError, type SimGuild } from '@cqfleet/sim-client';
import { tinyId } from './build.js';
import { memberGuild } from './guilds.js';
import { newId, type WorldState } from './state.js';

export const MAX_ROLES = 32;
export const MAX_ROLE_NAME_CHARS = 32;
const OWNER_ROLE = '4';
const ADMIN_ROLE = '2';
const BUILT_IN = new Set(['1', OWNER_ROLE]);

type RoleOp = Ops['guild_role']['args'];

function requireRoleManager(g: SimGuild, actor: number): void {
  const role = g.members.find(m => m.tiny_id === tinyId(actor))?.role_id;
  if (role !== OWNER_ROLE && role !== ADMIN_ROLE)
    throw new SimError(
      'NOT_MANAGEABLE',
      `${actor} may not manage the roles of guild ${g.guild_id}`,
    );
}

function roleName(name: string): string {
  const trimmed = name.trim();
  const chars = [...trimmed].length;
  if (chars === 0 || chars > MAX_ROLE_NAME_CHARS)
    throw new SimError(
      'INVALID_PARAMS',
      `a role name is 1 to ${MAX_ROLE_NAME_CHARS} characters (${chars} given)`,
    );
  return trimmed;
}

/** How many of `users` are members of the guild, each counted once. */
function membersAmong(g: SimGuild, users: readonly string[]): number {
  const members = new Set(g.members.map(m => m.tiny_id));
  return new Set(users.filter(u => members.has(u))).size;
}

export function guildRole(w: WorldState, actor: number, op: RoleOp): { role_id: string } {
  const g = memberGuild(w, actor, op.guild_id);
  requireRoleManager(g, actor);
  if (op.action === 'create') {
    const role_name = roleName(op.name);
    if (g.roles.length >= MAX_ROLES)
      throw new SimError('API_ERROR', `guild ${g.guild_id} has ${MAX_ROLES} roles, the most`);
    let role_id: string;
    do role_id = String(parseInt(newId(3), 16));
    while (g.roles.some(r => r.role_id === role_id));
    g.roles.push({
      role_id,
      role_name,
      argb_color: op.color,
      independent: op.independent,
      member_count: membersAmong(g, op.users),
      max_count: 0,
      owned: false,
      disabled: false,
    });
    return { role_id };
  }
  const role = g.roles.find(r => r.role_id === op.role_id);
  if (!role) throw new SimError('API_ERROR', `role ${op.role_id} not found`);
  if (op.action === 'delete' || op.action === 'update') {
    if (BUILT_IN.has(role.role_id))
      throw new SimError('API_ERROR', `role ${role.role_id} is the guild's own`);
    if (op.action === 'delete') g.roles = g.roles.filter(r => r !== role);
    else
      Object.assign(role, {
        role_name: roleName(op.name),
        argb_color: op.color,
        independent: op.independent,
      });
  } else {
    const n = membersAmong(g, op.users);
    role.member_count = Math.max(0, role.member_count + (op.set ? n : -n));
  }
  return { role_id: role.role_id };
}
