/**
 * Parameter schemas with go-cqhttp's coercion (reference §1.1), so that an action reads the
 * same whether its parameters came from a JSON body, a form or a query string:
 *
 * - integers accept numbers and decimal strings (`"123"`); booleans give 1/0;
 * - booleans accept `true/false`, numbers (non-zero is true) and the strings
 *   `1/t/true/yes/on` and `0/f/false/no/off` (go-cqhttp reads `"yes"` as false; cqfleet follows
 *   OneBot here and reads it as true);
 * - strings accept numbers and booleans;
 * - an absent parameter, `null` or an empty string takes the default (0, "", false, or the
 *   action's own default). Missing parameters are not an error, exactly as in go-cqhttp: a
 *   missing `group_id` is 0 and the action answers `GROUP_NOT_FOUND`;
 * - a value that cannot be read as the declared type (`group_id: "abc"`, an object for an
 *   integer) is an `INVALID_PARAMS` failure naming the field, where go-cqhttp silently uses 0.
 *
 * Parameter aliases (`[message_id,id]`, `[sub_type,type]`, …) take the first name present.
 */
import { z } from 'zod';
import { toSegments } from './message.js';
import { checkForward, checkMessage, type MessageRefusal } from './message-limits.js';
import type { InputSegment, MessageInput } from './segment.js';

function absent(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

function toInt(v: unknown): unknown {
  if (absent(v)) return undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const t = v.trim();
    return /^[+-]?\d{1,19}$/.test(t) ? Number(t) : v;
  }
  return v;
}

const TRUE_WORDS = new Set(['1', 't', 'true', 'yes', 'y', 'on']);
const FALSE_WORDS = new Set(['0', 'f', 'false', 'no', 'n', 'off']);

function toBool(v: unknown): unknown {
  if (absent(v)) return undefined;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') {
    const t = v.trim().toLowerCase();
    if (TRUE_WORDS.has(t)) return true;
    if (FALSE_WORDS.has(t)) return false;
  }
  return v;
}

function toStr(v: unknown): unknown {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return v;
}

/** An int64 id or count (QQ numbers, group numbers, durations). */
export function int(defaultValue = 0) {
  return z.preprocess(toInt, z.number().int().default(defaultValue));
}

/** An int32 message id; ids beyond int32 are accepted and simply not found. */
export function int32(defaultValue = 0) {
  return int(defaultValue);
}

/** An integer that has no go-cqhttp default: `undefined` when absent. */
export function optionalInt() {
  return z.preprocess(toInt, z.number().int().optional());
}

export function bool(defaultValue = false) {
  return z.preprocess(toBool, z.boolean().default(defaultValue));
}

export function optionalBool() {
  return z.preprocess(toBool, z.boolean().optional());
}

/** A string parameter; with `max`, at most that many UTF-16 units. */
export function str(defaultValue = '', max?: number) {
  const schema = z.string();
  return z.preprocess(toStr, (max === undefined ? schema : schema.max(max)).default(defaultValue));
}

export function optionalStr() {
  return z.preprocess(toStr, z.string().optional());
}

const segmentSchema = z.looseObject({
  type: z.string(),
  data: z.record(z.string(), z.unknown()).nullish(),
});

/** A message in any of its three forms; normalised to segments by the action's transform. */
export function message() {
  return z
    .union([z.string(), segmentSchema, z.array(segmentSchema)])
    .optional()
    .transform(v => (v ?? '') as MessageInput);
}

/**
 * A refusal of a message limit (message-limits.ts) as a parse issue: `parseParams` answers it
 * with the limit's own tag instead of INVALID_PARAMS.
 */
function refuseMessage(ctx: z.RefinementCtx, refusal: MessageRefusal): never {
  ctx.addIssue({ code: 'custom', message: refusal.wording, params: { tag: refusal.tag } });
  return z.NEVER;
}

/**
 * Forward nodes: an array of `node` segments, or one. Content is normalised at the session,
 * which checks it against the message limits; here only the shape is (nodes per list, in all,
 * nesting), so a huge node list is refused before it is forwarded.
 */
export function nodes() {
  return z
    .union([segmentSchema, z.array(segmentSchema)])
    .optional()
    .transform((v, ctx) => {
      const list = (v === undefined ? [] : Array.isArray(v) ? v : [v]) as InputSegment[];
      const checked = checkForward(list, { parseContent: false });
      return checked.ok ? list : refuseMessage(ctx, checked.refusal);
    });
}

/** Any JSON value, passed through (quick-operation `context`, download `headers`, …). */
export function json() {
  return z.unknown().optional();
}

export type Aliases = Readonly<Record<string, readonly string[]>>;

function applyAliases(raw: unknown, aliases: Aliases): Record<string, unknown> {
  const input =
    typeof raw === 'object' && raw !== null && !Array.isArray(raw)
      ? (raw as Record<string, unknown>)
      : {};
  const names = Object.keys(aliases);
  if (names.length === 0) return input;
  const out: Record<string, unknown> = { ...input };
  for (const name of names) {
    if (out[name] !== undefined && out[name] !== null) continue;
    for (const alt of aliases[name] ?? []) {
      if (input[alt] !== undefined && input[alt] !== null) {
        out[name] = input[alt];
        break;
      }
    }
  }
  return out;
}

/**
 * An action's parameter object: unknown keys are dropped (go-cqhttp ignores them), a missing
 * or non-object `params` reads as `{}`, and `aliases` maps a parameter to its other names.
 */
export function params<S extends z.ZodRawShape>(shape: S, aliases: Aliases = {}) {
  return z.preprocess(raw => applyAliases(raw, aliases), z.object(shape));
}

/** Shorthand for actions without parameters. */
export const noParams = params({});

/**
 * Parameters of an action that sends a message: `message` is normalised to segments at the
 * edge, with `auto_escape` applied (a CQ string is sent as plain text when it is true), and
 * checked against the message limits (message-limits.ts) on the segments, parsed only once.
 */
export function messageParams<
  S extends z.ZodRawShape & {
    message: ReturnType<typeof message>;
    auto_escape: ReturnType<typeof bool>;
  },
>(shape: S, aliases: Aliases = {}) {
  return params(shape, aliases).transform((p, ctx) => {
    const v = p as { message: MessageInput; auto_escape: boolean };
    const message = toSegments(v.message, v.auto_escape);
    const refusal = checkMessage(message);
    return refusal ? refuseMessage(ctx, refusal) : { ...p, message };
  });
}
