/**
 * An event as an endpoint sends it. Inside the cluster `message` is a segment array; an
 * endpoint in the `string` format gets the CQ string instead (`raw_message`, computed once at
 * the session), and `message_format` says which (as NapCat does; node-napcat-ts reads it).
 */
import type { MessageFormat, OneBotEvent } from '@cqfleet/onebot';

const isMessage = (e: { post_type?: unknown }) =>
  e.post_type === 'message' || e.post_type === 'message_sent';

export function eventView(event: OneBotEvent, format: MessageFormat): OneBotEvent {
  if (format === 'array' || !isMessage(event)) return event;
  const e = event as OneBotEvent & { raw_message?: string };
  return { ...e, message: e.raw_message ?? '', message_format: 'string' } as OneBotEvent;
}
