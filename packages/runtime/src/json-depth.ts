/**
 * How deeply a JSON text nests, checked before it is parsed. `JSON.parse` takes any depth, but
 * `JSON.stringify`, msgpack and every recursive walk afterwards overflow the stack on a few
 * thousand levels (a `RangeError` thrown far from the border: a session publishing an
 * upstream's event, history encoding it). OneBot's events and actions nest a handful of levels
 * (a forward message's nodes a few more), so a text past `max` is refused where it arrives.
 * How many values a text holds is bounded the same way (MAX_JSON_VALUES).
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const COMMA = 0x2c;

/** The deepest JSON a border accepts: far above OneBot's, far below a stack overflow. */
export const MAX_JSON_DEPTH = 64;

/**
 * The most values (arrays, objects and the members of each) a border accepts in one text.
 * `JSON.parse` turns a 64 MiB frame of `{},{},…` into some 20 million objects — about a GiB
 * of heap and seconds with the event loop held — although the text is within every byte
 * bound. OneBot's largest answers hold tens of thousands (a 3,000-member group's member list:
 * about 60,000), so a million is far above them and bounds what one text costs once parsed.
 */
export const MAX_JSON_VALUES = 1_000_000;

/** Why a JSON text is refused before it is parsed, if it is. */
export type JsonShapeProblem = 'too_deep' | 'too_many_values';

/**
 * Whether `text` opens more than `maxDepth` arrays or objects inside one another, or holds
 * more than about `maxValues` values (counted as the arrays and objects opened and the commas
 * between members; brackets and commas in strings do not count). A total function, one pass
 * over the text; it does not validate the JSON, which `JSON.parse` still does.
 */
export function jsonShapeProblem(
  text: string,
  maxDepth = MAX_JSON_DEPTH,
  maxValues = MAX_JSON_VALUES,
): JsonShapeProblem | undefined {
  const shape = scan(text, maxDepth, maxValues);
  return typeof shape === 'number' ? undefined : shape;
}

/**
 * How many values `text` holds as jsonShapeProblem counts them, or undefined when it is past
 * `maxDepth` or `maxValues`: for a border that parses several texts against one budget (the
 * values of a form).
 */
export function jsonValuesWithin(
  text: string,
  maxValues: number,
  maxDepth = MAX_JSON_DEPTH,
): number | undefined {
  const shape = scan(text, maxDepth, maxValues);
  return typeof shape === 'number' ? shape : undefined;
}

function scan(text: string, maxDepth: number, maxValues: number): JsonShapeProblem | number {
  let depth = 0;
  let values = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === COMMA) {
      if (++values > maxValues) return 'too_many_values';
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++depth > maxDepth) return 'too_deep';
      if (++values > maxValues) return 'too_many_values';
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      depth--;
    }
  }
  return values;
}

/** What a border says of a refused shape. */
export function describeJsonShape(problem: JsonShapeProblem): string {
  return problem === 'too_deep'
    ? `nests deeper than ${MAX_JSON_DEPTH} levels`
    : `holds more than ${MAX_JSON_VALUES} values`;
}

/** True when `text` opens more than `max` arrays or objects inside one another. */
export function jsonDeeperThan(text: string, max = MAX_JSON_DEPTH): boolean {
  return jsonShapeProblem(text, max, Infinity) === 'too_deep';
}
