/**
 * Message segments.
 *
 * On the wire (events and results in array format) every `data` value is a **string**, so
 * array and CQ forms convert losslessly (reference §4.1). Input may carry typed values
 * (`{"qq": 123}`) and, for forward `node`, a nested message in `content`; input segments
 * are therefore typed loosely and turned into wire segments by {@link toWireSegment}.
 */

/** A segment as cqfleet emits it: string-valued `data`. */
export interface Segment {
  type: string;
  data: Record<string, string>;
}

/** A segment as a client may send it. */
export interface InputSegment {
  type: string;
  data?: Record<string, unknown> | null;
}

/** Every message format a client may send: a CQ string, one segment, or an array. */
export type MessageInput = string | InputSegment | InputSegment[];

export type MessageFormat = 'string' | 'array';

/**
 * Segment types cqfleet knows, with the direction they travel (reference §4.3–4.4, seed).
 * `send`: accepted in actions; `receive`: produced in events.
 */
export const SEGMENT_TYPES = {
  text: { send: true, receive: true },
  face: { send: true, receive: true },
  image: { send: true, receive: true },
  record: { send: true, receive: true },
  video: { send: true, receive: true },
  at: { send: true, receive: true },
  rps: { send: true, receive: true },
  dice: { send: true, receive: true },
  shake: { send: true, receive: false },
  poke: { send: true, receive: true },
  anonymous: { send: true, receive: false },
  share: { send: true, receive: true },
  contact: { send: true, receive: true },
  location: { send: true, receive: true },
  music: { send: true, receive: false },
  reply: { send: true, receive: true },
  forward: { send: true, receive: true },
  node: { send: true, receive: false },
  xml: { send: true, receive: true },
  json: { send: true, receive: true },
  cardimage: { send: true, receive: false },
  tts: { send: true, receive: false },
  gift: { send: true, receive: false },
  redbag: { send: false, receive: true },
  file: { send: true, receive: true },
  mface: { send: true, receive: true },
  markdown: { send: true, receive: true },
} as const satisfies Record<string, { send: boolean; receive: boolean }>;

export type SegmentType = keyof typeof SEGMENT_TYPES;

export function isKnownSegmentType(type: string): type is SegmentType {
  return Object.hasOwn(SEGMENT_TYPES, type);
}

/** Data values on the wire are strings; nested values (forward node content) become JSON. */
export function valueToString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return JSON.stringify(value) ?? '';
}

/** Turns a typed input segment into its wire form (string values, nulls dropped). */
export function toWireSegment(seg: InputSegment): Segment {
  const data: Record<string, string> = {};
  if (seg.data) {
    for (const [key, value] of Object.entries(seg.data)) {
      if (value === undefined || value === null) continue;
      data[key] = valueToString(value);
    }
  }
  return { type: seg.type, data };
}

export function text(value: string): Segment {
  return { type: 'text', data: { text: value } };
}

/**
 * Merges adjacent text segments and drops empty ones, so that a message has one canonical
 * segment list (what `parseCQ` produces for the same CQ string).
 */
export function normalizeSegments(segments: readonly Segment[]): Segment[] {
  const out: Segment[] = [];
  for (const seg of segments) {
    if (seg.type === 'text') {
      const value = seg.data.text ?? '';
      if (value === '') continue;
      const last = out[out.length - 1];
      if (last?.type === 'text') {
        last.data = { text: (last.data.text ?? '') + value };
        continue;
      }
      out.push({ type: 'text', data: { text: value } });
    } else {
      out.push({ type: seg.type, data: { ...seg.data } });
    }
  }
  return out;
}
