/** The QQ side's operations on guilds and their channels. */
import { z } from 'zod';
import { Guild } from '../models.js';
import { type OpSpec, none, op } from '../op.js';
import { elements, flag, int, segments, text } from '../wire.js';

const guildRoleFields = {
  guild_id: text,
  name: text,
  color: int,
  independent: flag,
};

export const guildOps = {
  get_guilds: op(none, z.array(Guild)),
  send_guild_msg: op(
    z.object({ guild_id: text, channel_id: text, elements }),
    z.object({ seq: z.number(), time: z.number() }),
  ),
  get_guild_msg: op(
    z.object({ guild_id: text, channel_id: text, seq: int }),
    z.object({
      guild_id: z.string(),
      channel_id: z.string(),
      seq: z.number(),
      time: z.number(),
      sender_tiny_id: z.string(),
      sender_nickname: z.string(),
      elements: segments,
    }),
  ),
  guild_role: op(
    z.discriminatedUnion('action', [
      z.object({ action: z.literal('create'), ...guildRoleFields, users: z.array(z.string()) }),
      z.object({ action: z.literal('delete'), guild_id: text, role_id: text }),
      z.object({ action: z.literal('update'), role_id: text, ...guildRoleFields }),
      z.object({
        action: z.literal('assign'),
        guild_id: text,
        role_id: text,
        users: z.array(z.string()),
        set: flag,
      }),
    ]),
    z.object({ role_id: z.string() }),
  ),
} satisfies Record<string, OpSpec>;
