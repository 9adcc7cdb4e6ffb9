/**
 * Message normalisation at the edge: whatever form a client sends becomes a segment array,
 * and everything behind the gateway handles only segments (reference §4.1).
 */
import { parseCQ, stringifyCQ } from './cqcode.js';
import {
  type InputSegment,
  type MessageFormat,
  type MessageInput,
  type Segment,
  normalizeSegments,
  toWireSegment,
} from './segment.js';

/**
 * Input rules (go-cqhttp): a JSON string is parsed as CQ code unless `autoEscape`; an object
 * is one segment; an array is a segment list (`autoEscape` ignored for both).
 */
export function toSegments(
  message: MessageInput | null | undefined,
  autoEscape = false,
): Segment[] {
  if (message === null || message === undefined) return [];
  if (typeof message === 'string') {
    if (autoEscape) return message === '' ? [] : [{ type: 'text', data: { text: message } }];
    return parseCQ(message);
  }
  const list: InputSegment[] = Array.isArray(message) ? message : [message];
  return normalizeSegments(list.filter(isSegmentLike).map(toWireSegment));
}

function isSegmentLike(value: unknown): value is InputSegment {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { type?: unknown }).type === 'string'
  );
}

/** `raw_message` and the `string` post format. */
export function toCQString(segments: readonly Segment[]): string {
  return stringifyCQ(segments);
}

/** The `message` field of an event or result in the endpoint's configured format. */
export function formatMessage(
  segments: readonly Segment[],
  format: MessageFormat,
): string | Segment[] {
  return format === 'string' ? stringifyCQ(segments) : (segments as Segment[]);
}

/** A message is empty when it has no segments or only empty text (`EMPTY_MSG_ERROR`). */
export function isEmptyMessage(segments: readonly Segment[]): boolean {
  return segments.every(s => s.type === 'text' && (s.data.text ?? '') === '');
}

/** Plain text of a message, for logs and previews. */
export function plainText(segments: readonly Segment[]): string {
  return segments
    .filter(s => s.type === 'text')
    .map(s => s.data.text ?? '')
    .join('');
}
