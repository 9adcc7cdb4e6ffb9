/**
 * A message event in the `string` format (go-cqhttp's default), made from the bytes the session
 * published without parsing them: the value of the top-level `message` (a segment array) is
 * replaced by the value of `raw_message` (its CQ string, already a JSON string literal), and
 * `message_format` by `"string"`. The result is byte for byte what
 * `JSON.stringify(eventView(JSON.parse(bytes), 'string'))` gives (test/string-frame.test.ts),
 * at a fraction of the cost: parsing and serialising every message event again was about a
 * sixth of the gateway's CPU per event for `string` clients (bench/README.md, "Profiles").
 *
 * Total: bytes that are not one JSON object with those three top-level keys, with a string
 * `raw_message`, give undefined, and the caller takes the parsing path. Scanning bytes is safe
 * for UTF-8: every byte of a multi-byte character is ≥ 0x80, never a JSON structural byte.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const isOpen = (c: number) => c === 0x7b || c === 0x5b; // { [
const isClose = (c: number) => c === 0x7d || c === 0x5d; // } ]
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const STRING_FORMAT = Buffer.from('"string"');
/** The keys spliced, as bytes: keys are compared where they lie, never decoded. */
const KEYS = ['message', 'raw_message', 'message_format'].map(k => Buffer.from(k));
const NEWLINE = Buffer.from('\n');

type Span = [start: number, end: number];

/** The end (exclusive) of the string starting at `i` (a quote), or -1. */
function skipString(d: Uint8Array, i: number): number {
  // From quote to quote (indexOf is native); a quote after an odd run of backslashes is escaped.
  for (let j = i + 1; ;) {
    const q = d.indexOf(QUOTE, j);
    if (q < 0) return -1;
    let k = q - 1;
    while (d[k] === BACKSLASH) k--;
    if ((q - 1 - k) % 2 === 0) return q + 1;
    j = q + 1;
  }
}

/** The end (exclusive) of the value starting at `i`, or -1. */
function skipValue(d: Uint8Array, i: number): number {
  if (d[i] === QUOTE) return skipString(d, i);
  if (isOpen(d[i]!)) {
    let depth = 0;
    for (let j = i; j < d.length; j++) {
      const c = d[j]!;
      if (c === QUOTE) {
        j = skipString(d, j) - 1;
        if (j < 0) return -1;
      } else if (isOpen(c)) depth++;
      else if (isClose(c) && --depth === 0) return j + 1;
    }
    return -1;
  }
  // A number, true, false or null: up to the next separator.
  let j = i;
  while (j < d.length && d[j] !== 0x2c && !isClose(d[j]!) && !isSpace(d[j]!)) j++;
  return j > i ? j : -1;
}

const skipSpace = (d: Uint8Array, i: number) => {
  while (i < d.length && isSpace(d[i]!)) i++;
  return i;
};

/** Which of KEYS the key between `from` and `to` is, or -1. */
function whichKey(d: Uint8Array, from: number, to: number): number {
  next: for (let k = 0; k < KEYS.length; k++) {
    const key = KEYS[k]!;
    if (key.length !== to - from) continue;
    for (let j = 0; j < key.length; j++) if (d[from + j] !== key[j]) continue next;
    return k;
  }
  return -1;
}

/**
 * The value spans of KEYS in the top-level object in `d` (by KEYS' index; absent keys
 * undefined), or undefined if `d` is not one object.
 */
function topLevel(d: Uint8Array): Array<Span | undefined> | undefined {
  const out: Array<Span | undefined> = [undefined, undefined, undefined];
  let i = skipSpace(d, 0);
  if (d[i] !== 0x7b) return undefined;
  i = skipSpace(d, i + 1);
  if (d[i] === 0x7d) return out;
  for (;;) {
    if (d[i] !== QUOTE) return undefined;
    const keyEnd = skipString(d, i);
    if (keyEnd < 0) return undefined;
    // An escaped or repeated key would be read differently by JSON.parse: not spliced.
    for (let j = i + 1; j < keyEnd - 1; j++) if (d[j] === BACKSLASH) return undefined;
    const k = whichKey(d, i + 1, keyEnd - 1);
    if (k >= 0 && out[k] !== undefined) return undefined;
    i = skipSpace(d, keyEnd);
    if (d[i] !== 0x3a) return undefined; // :
    const start = skipSpace(d, i + 1);
    const end = skipValue(d, start);
    if (end < 0) return undefined;
    if (k >= 0) out[k] = [start, end];
    i = skipSpace(d, end);
    if (d[i] === 0x7d) return skipSpace(d, i + 1) === d.length ? out : undefined;
    if (d[i] !== 0x2c) return undefined; // ,
    i = skipSpace(d, i + 1);
  }
}

/** The `string`-format frame (newline-terminated) of a message event's bytes, or undefined. */
export function stringFormatFrame(d: Uint8Array): Buffer | undefined {
  const [message, raw, format] = topLevel(d) ?? [];
  if (!message || !raw || !format || d[raw[0]] !== QUOTE) return undefined;
  const bytes = Buffer.from(d.buffer, d.byteOffset, d.byteLength);
  const edits: Array<[Span, Buffer]> = [
    [message, bytes.subarray(raw[0], raw[1])],
    [format, STRING_FORMAT],
  ];
  edits.sort((a, b) => a[0][0] - b[0][0]);
  const parts: Buffer[] = [];
  let at = 0;
  for (const [[start, end], value] of edits) {
    parts.push(bytes.subarray(at, start), value);
    at = end;
  }
  parts.push(bytes.subarray(at), NEWLINE);
  return Buffer.concat(parts);
}
