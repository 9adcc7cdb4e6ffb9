/**
 * An upstream's event frame as a cqfleet event of the account.
 *
 * - Meta events (heartbeat, lifecycle) are the upstream connection's own: cqfleet's gateway
 *   sends its own to each endpoint, so they are dropped here.
 * - `self_id` is the account's (an upstream configured for another account is caught at
 *   login; this keeps a stray frame from landing on another account).
 * - Messages are published in array form, as every cqfleet event is (the gateway renders the
 *   string form per endpoint): a CQ-code string from an upstream in string post format is
 *   parsed. `raw_message` is kept, or derived when missing.
 * - A message without `message_seq` (not every implementation sends it; go-cqhttp's private
 *   messages never have it) gets its `real_id` or `message_id` there, so history can store it.
 * - What go-cqhttp always sends and an upstream left out is filled in, so a client and history
 *   get a whole event: `time` (now, when missing or not a whole number of seconds; also when it
 *   lies more than a day ahead, which would keep the message past history's age limit),
 *   `sender` (`{user_id, nickname: ''}`, or its `user_id` added), `sub_type` (`normal` /
 *   `friend`), `font` 0, a group message's `anonymous` null, a received private message's
 *   `target_id` (the account).
 * - Everything else — NapCat's and Lagrange's own notice types included — passes untouched.
 *
 * The event id is a digest of the frame: an upstream does not replay, so the only second copy
 * of an event is the same frame seen by two connections during a hand-over, which the stream
 * then drops as a duplicate.
 */
import { createHash } from 'node:crypto';
import { upstreamEventId } from '@cqfleet/contracts';
import { type OneBotEvent, toCQString, toSegments } from '@cqfleet/onebot';
import type { EventFrame } from './frames.js';

/**
 * The event for account `uin` of a frame frames.ts has typed, or undefined when it is not to
 * be published.
 */
export function fromUpstream(
  uin: number,
  frame: EventFrame,
  raw: string,
): { event: OneBotEvent; id: string } | undefined {
  const postType = frame.post_type;
  if (postType === 'meta_event') return undefined;
  const event: Record<string, unknown> = { ...frame, self_id: uin, time: eventTime(frame.time) };
  if (postType === 'message' || postType === 'message_sent') {
    completeMessage(event, uin);
    const message = event.message;
    const segments = toSegments(
      typeof message === 'string' || Array.isArray(message) ? (message as never) : [],
    );
    event.message = segments;
    if (typeof event.raw_message !== 'string') event.raw_message = toCQString(segments);
    if (typeof event.message_seq !== 'number')
      event.message_seq = Number(event.real_id ?? event.message_id ?? 0);
  }
  const digest = createHash('sha1').update(raw).digest('base64url').slice(0, 22);
  return { event: event as unknown as OneBotEvent, id: upstreamEventId(uin, digest) };
}

/** Furthest ahead of this clock an event's `time` may be: an upstream's clock may be off. */
const MAX_AHEAD_S = 86_400;

function eventTime(time: unknown): number {
  const now = Math.floor(Date.now() / 1000);
  return typeof time === 'number' && Number.isSafeInteger(time) && time <= now + MAX_AHEAD_S
    ? time
    : now;
}

/** The fields of a message event go-cqhttp always sends, where the upstream left them out. */
function completeMessage(event: Record<string, unknown>, uin: number): void {
  const group = event.message_type === 'group';
  const sender = event.sender;
  if (typeof sender !== 'object' || sender === null || Array.isArray(sender))
    event.sender = { user_id: event.user_id, nickname: '' };
  else if (!('user_id' in sender)) event.sender = { ...sender, user_id: event.user_id };
  if (typeof event.sub_type !== 'string') event.sub_type = group ? 'normal' : 'friend';
  if (event.font === undefined) event.font = 0;
  if (group && event.anonymous === undefined) event.anonymous = null;
  if (!group && event.target_id === undefined && event.user_id !== uin) event.target_id = uin;
}
