import type { OneBotEvent } from '@cqfleet/onebot';

/**
 * How events travel on NATS. The message body is the OneBot event JSON in go-cqhttp's shape
 * with `message` as a segment array (or several of an account's events, one per line: see
 * {@link EVENT_ID_SEPARATOR}); everything else rides in headers.
 */

/**
 * The stable event id (the ids of a batch), also used as `Nats-Msg-Id` (a batch's first id) so
 * that JetStream drops a second publish of the same event (a worker that takes an account over
 * re-publishes from its cursor; the session's event-pipeline.ts says how a batch cut
 * differently the second time is still stored once).
 */
export const EVENT_ID_HEADER = 'Cqfleet-Event-Id';
/** Header with the fencing token of the lease the publishing worker held (which owner said it). */
export const EVENT_FENCE_HEADER = 'Cqfleet-Fence';

/**
 * Id of an event the driver delivered: `<self_id>:d:<epoch>:<seq>`. The driver's `epoch`
 * changes when its sequence restarts (a restarted simulator), so ids never repeat.
 */
export function driverEventId(selfId: number, epoch: string, driverSeq: number): string {
  return `${selfId}:d:${epoch}:${driverSeq}`;
}

/** Id of the `message_sent` event for a message the account sent itself. */
export function sentEventId(selfId: number, chat: 'g' | 'p', chatId: number, seq: number): string {
  return `${selfId}:s:${chat}${chatId}:${seq}`;
}

/**
 * Id of an event an upstream OneBot implementation reported for its account:
 * `<self_id>:u:<digest of the frame>`. History keeps such events under the account alone: they
 * are the upstream's word, not cqfleet's (see @cqfleet/history-store store.ts).
 */
export function upstreamEventId(selfId: number, digest: string): string {
  return `${selfId}:u:${digest}`;
}

/** True for the id of an event an upstream implementation reported. */
export function isUpstreamEventId(id: string | undefined): boolean {
  return id !== undefined && /^\d+:u:/.test(id);
}

/**
 * Several events of one account in one stream message (a burst): `Cqfleet-Event-Id` holds
 * their ids separated by this, the body their JSON one per line (JSON text never holds a raw
 * line break), in order; `Nats-Msg-Id` is the first event's id. A message with one id is one
 * event, its body the JSON alone.
 */
export const EVENT_ID_SEPARATOR = ' ';

/** True for an id that can travel in a batch: printable ASCII, no separator. */
export function batchableEventId(id: string): boolean {
  return /^[\x21-\x7e]+$/.test(id);
}

/** One event of a stream message: its id (absent on a message without one) and JSON bytes. */
export interface PublishedEvent {
  id: string | undefined;
  data: Uint8Array;
}

const LINE_FEED = 0x0a;

/**
 * The events of a stream message, from its body and its `Cqfleet-Event-Id` header; undefined
 * when the body's lines do not match the ids (not a batch this contract describes).
 */
export function publishedEvents(
  data: Uint8Array,
  idHeader: string | undefined,
): PublishedEvent[] | undefined {
  // One event's JSON has no line feed; its id is the header whatever it holds.
  if (data.indexOf(LINE_FEED) < 0) return [{ id: idHeader || undefined, data }];
  const ids = idHeader ? idHeader.split(EVENT_ID_SEPARATOR) : [];
  if (ids.length < 2) return undefined;
  const events: PublishedEvent[] = [];
  let start = 0;
  for (const id of ids) {
    if (id === '' || start > data.length) return undefined;
    let end = data.indexOf(LINE_FEED, start);
    if (end < 0) end = data.length;
    events.push({ id, data: data.subarray(start, end) });
    start = end + 1;
  }
  return start === data.length + 1 ? events : undefined;
}

/** A stream message's events parsed: those whose JSON parses, in order, and a count of the rest. */
export interface ParsedEvents {
  events: { id: string | undefined; event: OneBotEvent }[];
  /** Lines that were not a JSON object (skipped; the caller logs them). */
  unparsed: number;
}

const utf8 = new TextDecoder();

/**
 * {@link publishedEvents}, each event's JSON parsed: what history and the outbound feeds
 * read. Undefined when the lines do not match the ids. A JSON object is trusted to be an
 * event (the session wrote it); a line that is not one is counted and skipped.
 */
export function parsedEvents(
  data: Uint8Array,
  idHeader: string | undefined,
): ParsedEvents | undefined {
  const published = publishedEvents(data, idHeader);
  if (!published) return undefined;
  const parsed: ParsedEvents = { events: [], unparsed: 0 };
  for (const { id, data: json } of published) {
    let event: unknown;
    try {
      event = JSON.parse(utf8.decode(json));
    } catch {
      event = undefined;
    }
    // Only an object can be an event (callers read its post_type).
    if (typeof event === 'object' && event !== null && !Array.isArray(event))
      parsed.events.push({ id, event: event as OneBotEvent });
    else parsed.unparsed++;
  }
  return parsed;
}
