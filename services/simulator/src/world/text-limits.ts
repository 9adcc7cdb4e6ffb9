/**
 * Bounds on what an account's action writes into the world beyond messages (those are in
 * message-limits.ts). Each bound is QQ's own where QQ has one, so a bot meets the refusal it
 * would meet on QQ; without them one member could write megabytes that are then copied into
 * every event of the group:
 *
 * - a group card (群名片) is at most 60 bytes of UTF-8 (QQ: 20 CJK characters); it is the
 *   sender's card in every group message event of that member;
 * - a special title (专属头衔) at most 18 bytes (QQ: 6 CJK characters);
 * - a group name at most 90 bytes (QQ: 30 CJK characters);
 * - a reaction is a QQ emoji id (digits: a face id or a Unicode code point), at most 10 digits,
 *   and a message carries at most 20 different reactions (QQ's limit on one message): the
 *   emoji id was any string, and every new one added an entry to the message for good.
 *
 * - a group notice (群公告) at most 4,000 bytes of text (QQ's editor stops well before), and a
 *   group keeps its newest 100 notices (the older ones are dropped as a new one is posted).
 * - what an account says of itself: a nickname at most 36 bytes (QQ: 12 CJK characters; it is
 *   the sender's name in every message event of the account), a long nick (个性签名) 255,
 *   company, college and email 100 each, a custom status's wording 60 (QQ shows a few words);
 * - a remark it gives a friend or a group (or a friend it accepts) at most 96 bytes (QQ: 32
 *   CJK characters);
 * - a friend or join request's verification message (验证消息) at most 300 bytes.
 *
 * A value past them is `INVALID_PARAMS` naming it, before anything changes.
 *
 * Counts, refused with the tag of the action that would pass them:
 * - a group has at most 100 file folders (`FILE_SYSTEM_API_ERROR`).
 *
 * What the network keeps on its own, the oldest dropped past the bound (nothing is refused):
 * - voice transcripts: the newest 10,000, and at most 4 MiB of them.
 * - requests to an account (friend, join, invite): its newest 1,000, answered join/invite
 *   requests among them, and 1,000 doubtful friend requests apart; flags answered and no longer
 *   kept: the newest 1,000, so answering one again is still FLAG_HAS_BEEN_CHECKED (requests.ts).
 */
import { SimError } from '@cqfleet/sim-client';

export const MAX_CARD_BYTES = 60;
export const MAX_TITLE_BYTES = 18;
export const MAX_GROUP_NAME_BYTES = 90;
export const MAX_REACTION_KINDS = 20;
export const MAX_NOTICE_BYTES = 4_000;
export const MAX_NOTICES = 100;
export const MAX_NICKNAME_BYTES = 36;
export const MAX_LONG_NICK_BYTES = 255;
export const MAX_PROFILE_FIELD_BYTES = 100;
export const MAX_STATUS_WORDING_BYTES = 60;
export const MAX_REMARK_BYTES = 96;
const EMOJI_ID = /^\d{1,10}$/;

function atMost(value: string, max: number, what: string): void {
  const bytes = Buffer.byteLength(value);
  if (bytes > max)
    throw new SimError('INVALID_PARAMS', `${what} is at most ${max} bytes (${bytes} given)`);
}

export const checkCard = (card: string) => atMost(card, MAX_CARD_BYTES, 'a group card');
export const checkTitle = (title: string) => atMost(title, MAX_TITLE_BYTES, 'a special title');
export const checkGroupName = (name: string) => atMost(name, MAX_GROUP_NAME_BYTES, 'a group name');
export const checkNotice = (text: string) => atMost(text, MAX_NOTICE_BYTES, 'a notice');
export const checkRemark = (remark: string) => atMost(remark, MAX_REMARK_BYTES, 'a remark');
export const checkLongNick = (nick: string) => atMost(nick, MAX_LONG_NICK_BYTES, 'a long nick');
export const checkStatusWording = (wording: string) =>
  atMost(wording, MAX_STATUS_WORDING_BYTES, "a custom status's wording");

/** The fields `set_profile` may change, each checked before any of them is written. */
export function checkProfile(p: {
  nickname?: string;
  company?: string;
  email?: string;
  college?: string;
  personal_note?: string;
}): void {
  if (p.nickname !== undefined) atMost(p.nickname, MAX_NICKNAME_BYTES, 'a nickname');
  if (p.personal_note !== undefined) checkLongNick(p.personal_note);
  for (const key of ['company', 'email', 'college'] as const) {
    const value = p[key];
    if (value !== undefined) atMost(value, MAX_PROFILE_FIELD_BYTES, key);
  }
}

/**
 * Refuses an emoji id that is not QQ's, and adding a new kind of reaction to a message that
 * already has MAX_REACTION_KINDS (`kinds`: the emoji ids it carries now, if any).
 */
export function checkReaction(
  emojiId: string,
  adding: boolean,
  kinds: ReadonlyMap<string, unknown> | undefined,
): void {
  if (!EMOJI_ID.test(emojiId))
    throw new SimError('INVALID_PARAMS', 'emoji_id is a QQ emoji id (1 to 10 digits)');
  if (adding && kinds && !kinds.has(emojiId) && kinds.size >= MAX_REACTION_KINDS)
    throw new SimError(
      'API_ERROR',
      `a message carries at most ${MAX_REACTION_KINDS} different reactions`,
    );
}

/**
 * File folders a group may have. QQ keeps one level of folders under the root, made by managers,
 * and caps them at a modest number; 100 is more than a group organises its files into, and
 * bounds the root listing, which is answered whole with each folder's file count.
 */
export const MAX_GROUP_FOLDERS = 100;

/**
 * Voice transcripts the network keeps (chat-state.ts), oldest dropped first: 10,000 voices, and
 * 4 MiB of text over all of them. A message may carry 64 KiB of segment data, so the count alone
 * let 10,000 voices keep 640 MB; a minute of speech (QQ's longest voice) is a few hundred CJK
 * characters, about 1 KiB, so 4 MiB still holds thousands of real transcripts.
 */
export const MAX_VOICE_TEXTS = 10_000;
export const MAX_VOICE_TEXT_BYTES = 4 * 1024 * 1024;

/**
 * A friend or join request's verification message (验证消息): QQ's box takes a sentence, a few
 * dozen characters; 300 bytes (100 CJK characters) is more than it lets one type. Every request
 * keeps its message until it is answered, and get_group_system_msg answers all of them.
 */
export const MAX_REQUEST_COMMENT_BYTES = 300;
export const checkRequestComment = (comment: string) =>
  atMost(comment, MAX_REQUEST_COMMENT_BYTES, 'a verification message');

/**
 * Requests an account keeps (requests.ts), the newest: 1,000 to answer or answered and still
 * listed, and 1,000 doubtful friend requests apart; then 1,000 flags answered and no longer kept.
 * A bot answers requests as they come: 1,000 waiting is a backlog no QQ client lists in full.
 */
export const MAX_KEPT_REQUESTS = 1_000;
export const MAX_ANSWERED_FLAGS = 1_000;
