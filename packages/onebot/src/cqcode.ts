/**
 * The CQ-code codec: the string form of OneBot messages.
 *
 * Contract (go-cqhttp, reference §4.2):
 * - text outside codes escapes `&` `[` `]`; parameter values also escape `,`;
 * - a code starts only at the literal `[CQ:`; the type ends at `,` or `]`, a key at `=`,
 *   a value at `,` or `]`;
 * - an unterminated code drops the rest of the string silently; a lone `]` in text is kept;
 * - `parse` never throws, whatever the input.
 */
import { type InputSegment, type Segment, valueToString } from './segment.js';

const TEXT_ESCAPES: ReadonlyArray<[string, string]> = [
  ['&', '&amp;'],
  ['[', '&#91;'],
  [']', '&#93;'],
];

export function escapeText(text: string): string {
  return text.replace(/[&[\]]/g, ch => (ch === '&' ? '&amp;' : ch === '[' ? '&#91;' : '&#93;'));
}

export function escapeValue(value: string): string {
  return escapeText(value).replace(/,/g, '&#44;');
}

/** Unescape order matches go-cqhttp: `&#91;`, `&#93;`, then `&amp;`. */
export function unescapeText(text: string): string {
  if (!text.includes('&')) return text;
  let out = text;
  for (let i = TEXT_ESCAPES.length - 1; i >= 0; i--) {
    const [raw, escaped] = TEXT_ESCAPES[i]!;
    out = out.split(escaped).join(raw);
  }
  return out;
}

export function unescapeValue(value: string): string {
  if (!value.includes('&')) return value;
  return unescapeText(value.split('&#44;').join(','));
}

const CODE_START = '[CQ:';

/** Parses a CQ string into segments with string-valued `data`. */
export function parseCQ(input: string): Segment[] {
  const out: Segment[] = [];
  let pos = 0;
  while (pos < input.length) {
    const start = input.indexOf(CODE_START, pos);
    if (start < 0) {
      pushText(out, input.slice(pos));
      break;
    }
    if (start > pos) pushText(out, input.slice(pos, start));
    const parsed = parseCode(input, start + CODE_START.length);
    if (!parsed) break; // unterminated: the rest of the string is dropped (go-cqhttp)
    out.push(parsed.segment);
    pos = parsed.end;
  }
  return out;
}

function pushText(out: Segment[], raw: string): void {
  if (raw.length === 0) return;
  const text = unescapeText(raw);
  const last = out[out.length - 1];
  if (last && last.type === 'text') last.data.text = (last.data.text ?? '') + text;
  else out.push({ type: 'text', data: { text } });
}

/** Parses from just after `[CQ:`; returns the segment and the index after its `]`. */
function parseCode(input: string, from: number): { segment: Segment; end: number } | undefined {
  let i = from;
  while (i < input.length && input[i] !== ',' && input[i] !== ']') i++;
  if (i >= input.length) return undefined;
  const segment: Segment = { type: input.slice(from, i), data: {} };
  if (input[i] === ']') return { segment, end: i + 1 };
  i++; // skip ','
  for (;;) {
    let k = i;
    while (k < input.length && input[k] !== '=' && input[k] !== ',' && input[k] !== ']') k++;
    if (k >= input.length) return undefined;
    const key = input.slice(i, k);
    if (input[k] !== '=') {
      // A key with no value: kept with an empty value rather than corrupting the rest.
      if (key.length > 0) segment.data[key] = '';
      if (input[k] === ']') return { segment, end: k + 1 };
      i = k + 1;
      continue;
    }
    let v = k + 1;
    while (v < input.length && input[v] !== ',' && input[v] !== ']') v++;
    if (v >= input.length) return undefined;
    segment.data[key] = unescapeValue(input.slice(k + 1, v));
    if (input[v] === ']') return { segment, end: v + 1 };
    i = v + 1;
  }
}

/** Writes segments as a CQ string; `text` becomes escaped text, never `[CQ:text]`. */
export function stringifyCQ(segments: readonly InputSegment[]): string {
  let out = '';
  for (const seg of segments) out += stringifySegment(seg);
  return out;
}

export function stringifySegment(seg: InputSegment): string {
  if (seg.type === 'text') return escapeText(valueToString(seg.data?.text ?? ''));
  let code = CODE_START + seg.type;
  for (const [key, value] of Object.entries(seg.data ?? {})) {
    if (value === undefined || value === null) continue;
    code += `,${key}=${escapeValue(valueToString(value))}`;
  }
  return code + ']';
}
