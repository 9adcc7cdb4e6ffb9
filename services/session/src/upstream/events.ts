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
  const event: Record<string, unknown> = { ...frame, self_id: uin };
  if (postType === 'message' || postType === 'message_sent') {
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
