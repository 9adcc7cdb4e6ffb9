/**
 * How the QQ side reads the values of an operation's arguments. The simulator's control API
 * takes what a person (or a test) types, so the rules are lenient in a fixed, documented way:
 *
 * - an integer is a number or a decimal string (`"100100"`); anything else is refused;
 * - an optional integer is absent when missing, `null` or `0`;
 * - a string is `""` when missing or `null`; a number or an object is refused;
 * - a flag is true for `true`, `"true"`, `1`, `"1"` and false for anything else;
 * - message elements are `{type, data}` objects (a segment list), data defaulting to `{}`.
 *
 * Values that cannot be read fail the whole call with `BAD_REQUEST` naming the field.
 *
 * The leniency is the QQ side's, at run time; a caller in TypeScript is held to the plain
 * types (a number, a string, a boolean), which is what each schema declares as its input.
 */
import type { Segment } from '@cqfleet/onebot';
import { z } from 'zod';

const decimal = /^-?\d{1,16}$/;

/** A lenient schema whose static input is the plain type `I`. */
const typed = <O, I>(schema: z.ZodType<O>) => schema as unknown as z.ZodType<O, I>;

/** An integer: a number or a decimal string. */
export const int = typed<number, number>(
  z.preprocess(
    v => (typeof v === 'string' && decimal.test(v) ? Number(v) : v),
    z.number({ error: 'must be an integer' }).refine(Number.isSafeInteger, 'must be an integer'),
  ),
);

/** An integer that may be absent (missing, `null` or `0`). */
export const optInt = typed<number | undefined, number | undefined>(
  z.preprocess(
    v => (v === undefined || v === null || v === 0 || v === '0' ? undefined : v),
    int.optional(),
  ),
).optional();

/** A string, `""` when missing or `null`. */
export const text = typed<string, string>(
  z.preprocess(
    v => (v === undefined || v === null ? '' : v),
    z.string({ error: 'must be a string' }),
  ),
);

/** A flag: true for `true`, `"true"`, `1`, `"1"`; false for anything else. */
export const flag = typed<boolean, boolean>(
  z.preprocess(v => v === true || v === 'true' || v === 1 || v === '1', z.boolean()),
);

/** Message elements: a segment list. */
export const elements = typed<Segment[], Segment[]>(
  z
    .array(
      z.looseObject({
        type: z.string({ error: 'must be an array of {type, data}' }),
        data: z.record(z.string(), z.unknown()).optional(),
      }),
      { error: 'must be an array of {type, data}' },
    )
    .transform(list => list.map(e => ({ ...e, data: e.data ?? {} }) as Segment)),
);

/** A message element list as it is sent and received (results, events). */
export const segments = z.array(
  z.object({ type: z.string(), data: z.record(z.string(), z.string()) }),
) as unknown as z.ZodType<Segment[]>;

export const sex = z.enum(['male', 'female', 'unknown']);
export const role = z.enum(['owner', 'admin', 'member']);
