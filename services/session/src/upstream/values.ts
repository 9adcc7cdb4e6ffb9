/**
 * How the upstream border reads a single value an upstream OneBot implementation sent: ids,
 * objects and text. One reading for frames (frames.ts), replies (smoothing.ts) and reads
 * (reads.ts), so a value is never taken by one and refused by the other. Everything here is
 * total: nothing an upstream sends throws.
 */
import { z } from 'zod';

/**
 * An id: a safe integer, or a decimal string of one (some implementations send ids as
 * strings; go-cqhttp sends numbers, so the string becomes its number).
 */
export const upstreamId = z.union([
  z.number().int().refine(Number.isSafeInteger, 'not a safe integer'),
  z
    .string()
    .regex(/^-?\d{1,16}$/)
    .transform(Number)
    .refine(Number.isSafeInteger, 'not a safe integer'),
]);

/** `v` as an id, or undefined when it is none (NaN, an object, `"abc"` …). */
export function idOf(v: unknown): number | undefined {
  const parsed = upstreamId.safeParse(v);
  return parsed.success ? parsed.data : undefined;
}

/** A JSON object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Longest text of an upstream's own that cqfleet keeps about the account (its nickname, the
 * words of a failed login): it lands in `<ns>:account-status`, which every gateway reads whole
 * every 2 s. QQ's nicknames are at most 36 bytes; 256 leaves room for an error's wording.
 */
export const MAX_UPSTREAM_TEXT_BYTES = 256;

/**
 * `text` cut to at most `maxBytes` of UTF-8, never inside a character (a surrogate pair is
 * kept whole or left out). The one way upstream text is cut.
 */
export function clipText(text: string, maxBytes = MAX_UPSTREAM_TEXT_BYTES): string {
  if (text.length * 3 <= maxBytes) return text;
  const { read } = new TextEncoder().encodeInto(text, new Uint8Array(maxBytes));
  return read === text.length ? text : text.slice(0, read);
}

/** What an upstream says of itself: a string cut by clipText; anything else (null, 42) is ''. */
export function textOf(v: unknown): string {
  return typeof v === 'string' ? clipText(v) : '';
}

/** textOf as a field of a shape: absent, mistyped or too long, it is read, never refused. */
export const upstreamText = z.unknown().optional().transform(textOf);
