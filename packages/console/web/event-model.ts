/**
 * Pure parts of one account's live events (the detail's event list): turning an event into a
 * compact line, splitting the NDJSON stream into lines, keeping a bounded list, filtering.
 */

/** Events kept in memory per open detail: older ones fall off. */
export const MAX_EVENTS = 500;
/** A line longer than this is no event the gateway sends: the stream is dropped. */
export const MAX_LINE_CHARS = 2 * 1024 * 1024;

/** What the type filter offers; `message` covers `message_sent` too. */
export const POST_TYPES = ['message', 'notice', 'request', 'meta_event'] as const;
export type PostTypeFilter = '' | (typeof POST_TYPES)[number];

export interface EventRecord {
  /** Unique within the page (a counter), for keys. */
  key: number;
  /** The event's own time (seconds), or when it arrived. */
  time: number;
  postType: string;
  /** e.g. `group`, `group_increase`, `friend`, `heartbeat`. */
  kind: string;
  summary: string;
  event: Record<string, unknown>;
}

type Json = Record<string, unknown>;

const str = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';

/** A message's text when it has no raw_message: its text segments, others as `[type]`. */
function messageText(message: unknown): string {
  if (typeof message === 'string') return message;
  if (!Array.isArray(message)) return '';
  return message
    .map((s: unknown) => {
      const seg = s as { type?: unknown; data?: Json } | null;
      if (!seg || typeof seg.type !== 'string') return '';
      return seg.type === 'text' ? str(seg.data?.text) : `[${seg.type}]`;
    })
    .join('');
}

/** The one line an event is shown as. */
export function summarize(e: Json): { kind: string; summary: string } {
  const postType = str(e.post_type);
  switch (postType) {
    case 'message':
    case 'message_sent': {
      const sender = (e.sender ?? {}) as Json;
      const who = str(sender.card) || str(sender.nickname) || str(e.user_id);
      const where = e.message_type === 'group' ? `group ${str(e.group_id)} · ` : '';
      const text = str(e.raw_message) || messageText(e.message);
      return { kind: str(e.message_type) || 'message', summary: `${where}${who}: ${text}` };
    }
    case 'notice': {
      const kind = str(e.notice_type);
      const sub = str(e.sub_type);
      const parts = [sub && sub !== kind ? sub : '', e.group_id ? `group ${str(e.group_id)}` : ''];
      if (e.user_id) parts.push(`user ${str(e.user_id)}`);
      return { kind, summary: [kind, ...parts].filter(Boolean).join(' · ') };
    }
    case 'request': {
      const kind = str(e.request_type);
      const comment = str(e.comment);
      return {
        kind,
        summary: `${kind} request from ${str(e.user_id)}${comment ? `: ${comment}` : ''}`,
      };
    }
    case 'meta_event': {
      const kind = str(e.meta_event_type);
      return { kind, summary: [kind, str(e.sub_type)].filter(Boolean).join(' · ') };
    }
    default:
      return { kind: postType || 'unknown', summary: postType || 'unknown event' };
  }
}

let nextKey = 0;

/** The record of one parsed line, or null when the line is no event object. */
export function toRecord(line: string, now = Date.now()): EventRecord | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line) as unknown;
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const event = parsed as Json;
  const time = typeof event.time === 'number' ? event.time : Math.floor(now / 1000);
  return { key: ++nextKey, time, postType: str(event.post_type), ...summarize(event), event };
}

/**
 * Splits what arrived (`buffered` from before plus `chunk`) into whole lines and the rest;
 * empty lines (the gateway's keep-alives) are dropped.
 */
export function splitLines(buffered: string, chunk: string): { lines: string[]; rest: string } {
  const all = buffered + chunk;
  const parts = all.split('\n');
  const rest = parts.pop() ?? '';
  return { lines: parts.filter(l => l.trim() !== ''), rest };
}

/** `list` with `added` after it, at most `max` of the newest. */
export function keepLatest<T>(list: readonly T[], added: readonly T[], max = MAX_EVENTS): T[] {
  const all = list.concat(added);
  return all.length > max ? all.slice(all.length - max) : all;
}

export interface EventFilter {
  postType: PostTypeFilter;
  text: string;
}

/** True when the record passes the type and text filters (text: case-insensitive, in its JSON too). */
export function eventMatches(r: EventRecord, f: EventFilter): boolean {
  if (f.postType) {
    const type = r.postType === 'message_sent' ? 'message' : r.postType;
    if (type !== f.postType) return false;
  }
  const q = f.text.trim().toLowerCase();
  if (!q) return true;
  return (
    r.summary.toLowerCase().includes(q) ||
    r.kind.toLowerCase().includes(q) ||
    JSON.stringify(r.event).toLowerCase().includes(q)
  );
}

/** `HH:MM:SS` of an event time in seconds. */
export function clock(seconds: number): string {
  return new Date(seconds * 1000).toLocaleTimeString([], { hour12: false });
}
