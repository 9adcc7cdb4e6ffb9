/** The simulator's implementation of the QQ side's guilds operations (@cqfleet/qq-side ops/guilds.ts). */
import type { guildOps } from '@cqfleet/qq-side';
import { guildRole } from '../guild-roles.js';
import * as guilds from '../guilds.js';
import type { WorldState } from '../state.js';
import type { OpsOf } from './types.js';

export function guildTable(w: WorldState): OpsOf<typeof guildOps> {
  return {
    get_guilds: (_a, me) => guilds.guildsOf(w, me),
    send_guild_msg: (a, me) => guilds.sendGuildMessage(w, me, a.guild_id, a.channel_id, a.elements),
    get_guild_msg: (a, me) => guilds.getGuildMessage(w, me, a.guild_id, a.channel_id, a.seq),
    guild_role: (a, me) => guildRole(w, me, a),
  };
}
