/**
 * QQ guild (channel) actions (reference §1.5 "Guild"). Guild, channel and tiny ids are
 * strings in responses. `update_guild_role` keeps go-cqhttp's misspelt `indepedent`.
 */
import { z } from 'zod';
import { action } from '../action.js';
import { bool, int, json, message, messageParams, params, str } from '../params.js';
import * as s from './shapes.js';

function guildAction<P extends z.ZodType, R extends z.ZodType>(summary: string, p: P, result: R) {
  return action({
    owner: 'session',
    origin: 'go-cqhttp',
    status: 'ready',
    summary,
    params: p,
    result,
  });
}

const byGuild = params({ guild_id: str() });

export const guildActions = {
  get_guild_service_profile: guildAction(
    "The account's guild profile (Koishi calls it at start-up).",
    params({}),
    z.looseObject({ nickname: z.string(), tiny_id: z.string(), avatar_url: z.string() }),
  ),
  get_guild_list: guildAction('Guilds the account is in.', params({}), z.array(s.loose)),
  get_guild_meta_by_guest: guildAction('Guild metadata as a guest.', byGuild, s.loose),
  get_guild_channel_list: guildAction(
    'Channels of a guild.',
    params({ guild_id: str(), no_cache: bool() }),
    z.array(s.loose),
  ),
  get_guild_member_list: guildAction(
    'One page of guild members.',
    params({ guild_id: str(), next_token: str() }),
    s.loose,
  ),
  get_guild_member_profile: guildAction(
    "A guild member's profile.",
    params({ guild_id: str(), user_id: str() }),
    s.loose,
  ),
  get_guild_roles: guildAction('Roles of a guild.', byGuild, z.array(s.loose)),
  create_guild_role: guildAction(
    'Create a guild role.',
    params({
      guild_id: str(),
      name: str(),
      color: int(),
      independent: bool(),
      initial_users: json(),
    }),
    z.looseObject({ role_id: z.string() }),
  ),
  delete_guild_role: guildAction(
    'Delete a guild role.',
    params({ guild_id: str(), role_id: str() }),
    s.nothing,
  ),
  set_guild_member_role: guildAction(
    'Give or take a role.',
    params({ guild_id: str(), set: bool(), role_id: str(), users: json() }),
    s.nothing,
  ),
  update_guild_role: guildAction(
    'Change a guild role.',
    params({ guild_id: str(), role_id: str(), name: str(), color: int(), indepedent: bool() }),
    s.nothing,
  ),
  get_topic_channel_feeds: guildAction(
    'Posts of a topic channel.',
    params({ guild_id: str(), channel_id: str() }),
    z.array(s.loose),
  ),
  send_guild_channel_msg: guildAction(
    'Send a message to a guild channel.',
    messageParams({ guild_id: str(), channel_id: str(), message: message(), auto_escape: bool() }),
    z.looseObject({ message_id: z.string() }),
  ),
  get_guild_msg: guildAction(
    'A guild message by its string id.',
    params({ message_id: str(), no_cache: bool() }),
    s.loose,
  ),
} as const;
