/**
 * QQ guilds (channels): a small static model enough for go-cqhttp's guild actions. Roles are
 * managed in guild-roles.ts.
 */
import { isEmptyMessage, type Segment } from '@cqfleet/onebot';
import { SimError, type SimGuild } from '@cqfleet/sim-client';
import { tinyId } from './build.js';
import { checkMessageSize } from './message-limits.js';
import { now, type WorldState } from './state.js';

export function guildsOf(w: WorldState, uin: number): SimGuild[] {
  const me = tinyId(uin);
  return [...w.guilds.values()]
    .filter(g => g.members.some(m => m.tiny_id === me))
    .map(g => ({ ...g, self_tiny_id: me }));
}

/** A guild the actor is a member of (`GUILD_NOT_MATCH` otherwise). */
export function memberGuild(w: WorldState, uin: number, guildId: string): SimGuild {
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

/**
 * Guild messages of each world, kept outside WorldState as only guilds use them: the newest
 * KEPT_GUILD_MESSAGES of all guilds (an older seq reads as MSG_NOT_FOUND), by
 * `<guild>/<channel>/<seq>`; seqs count on from 1 across the world.
 */
const guildMessages = new WeakMap<
  WorldState,
  { lastSeq: number; byKey: Map<string, GuildMessage> }
>();
export const KEPT_GUILD_MESSAGES = 10_000;

function messagesOf(w: WorldState): { lastSeq: number; byKey: Map<string, GuildMessage> } {
  let m = guildMessages.get(w);
  if (!m) guildMessages.set(w, (m = { lastSeq: 0, byKey: new Map() }));
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
  checkMessageSize(elements);
  const messages = messagesOf(w);
  const seq = ++messages.lastSeq;
  const time = now();
  messages.byKey.set(`${guildId}/${channelId}/${seq}`, {
    guild_id: guildId,
    channel_id: channelId,
    seq,
    time,
    sender_tiny_id: tinyId(actor),
    sender_nickname: w.user(actor).profile.nickname,
    elements,
  });
  if (messages.byKey.size > KEPT_GUILD_MESSAGES)
    messages.byKey.delete(messages.byKey.keys().next().value!);
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
  const m = messagesOf(w).byKey.get(`${guildId}/${channelId}/${seq}`);
  if (!m) throw new SimError('MSG_NOT_FOUND', `no guild message ${seq}`);
  return m;
}
