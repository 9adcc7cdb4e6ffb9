/**
 * How deeply a JSON text nests, checked before it is parsed. `JSON.parse` takes any depth, but
 * `JSON.stringify`, msgpack and every recursive walk afterwards overflow the stack on a few
 * thousand levels (a `RangeError` thrown far from the border: a session publishing an
 * upstream's event, history encoding it). OneBot's events and actions nest a handful of levels
 * (a forward message's nodes a few more), so a text past `max` is refused where it arrives.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/** The deepest JSON a border accepts: far above OneBot's, far below a stack overflow. */
export const MAX_JSON_DEPTH = 64;

/**
 * True when `text` opens more than `max` arrays or objects inside one another (brackets in
 * strings do not count). A total function, linear in the text; it does not validate the JSON,
 * which `JSON.parse` still does.
 */
export function jsonDeeperThan(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++depth > max) return true;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      depth--;
    }
  }
  return false;
}
