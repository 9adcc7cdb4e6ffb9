/**
 * go-cqhttp's event filter (reference §5): a JSON document evaluated against each event as the
 * endpoint would send it.
 *
 * - The top level is an implicit `.and` object. In an object, a key starting with `.` is an
 *   operator; any other key is a path into the event (`sender.sex`, `message.0.type`). A
 *   non-object value means `.eq`; an object value is a nested `.and` applied to that field.
 * - `.and` (object) all match; `.or` (array of objects) any matches; `.not` (object) negates.
 * - `.eq` / `.neq` compare string forms (`123` equals `"123"`; null, missing and `""` are equal).
 * - `.in`: with an array, the field's string form equals an element; with a string, the
 *   field's string form is a substring of the operand.
 * - `.contains` (string): the field contains the operand. `.regex` (string): unanchored match.
 * - An unknown operator or an argument of the wrong type makes the whole filter invalid.
 */

export type Predicate = (value: unknown) => boolean;

export class FilterError extends Error {
  override readonly name = 'FilterError';
}

/** A value's string form, as gjson's `String()` gives it. */
export function stringForm(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** A gjson-style path: dot-separated keys, array indexes as numbers, `\.` for a literal dot. */
export function getPath(root: unknown, path: string): unknown {
  const parts = path.split(/(?<!\\)\./).map(p => p.replace(/\\\./g, '.'));
  let cur: unknown = root;
  for (const part of parts) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (Array.isArray(cur)) cur = /^\d+$/.test(part) ? cur[Number(part)] : undefined;
    else cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function compileAnd(spec: Record<string, unknown>): Predicate {
  const parts: Predicate[] = Object.entries(spec).map(([key, arg]) => {
    if (key.startsWith('.')) return compileOperator(key, arg);
    const inner = isObject(arg) ? compileAnd(arg) : compileOperator('.eq', arg);
    return (value: unknown) => inner(getPath(value, key));
  });
  return value => parts.every(p => p(value));
}

function compileOperator(op: string, arg: unknown): Predicate {
  switch (op) {
    case '.and':
      if (!isObject(arg)) throw new FilterError('.and needs an object');
      return compileAnd(arg);
    case '.or': {
      if (!Array.isArray(arg) || !arg.every(isObject))
        throw new FilterError('.or needs an array of objects');
      const alternatives = arg.map(compileAnd);
      return value => alternatives.some(p => p(value));
    }
    case '.not': {
      if (!isObject(arg)) throw new FilterError('.not needs an object');
      const inner = compileAnd(arg);
      return value => !inner(value);
    }
    case '.eq':
    case '.neq': {
      const want = stringForm(arg);
      return op === '.eq'
        ? value => stringForm(value) === want
        : value => stringForm(value) !== want;
    }
    case '.in': {
      if (Array.isArray(arg)) {
        const set = new Set(arg.map(stringForm));
        return value => set.has(stringForm(value));
      }
      if (typeof arg === 'string') return value => arg.includes(stringForm(value));
      throw new FilterError('.in needs an array or a string');
    }
    case '.contains':
      if (typeof arg !== 'string') throw new FilterError('.contains needs a string');
      return value => stringForm(value).includes(arg);
    case '.regex': {
      if (typeof arg !== 'string') throw new FilterError('.regex needs a string');
      let re: RegExp;
      try {
        re = new RegExp(arg);
      } catch (err) {
        throw new FilterError(`.regex: ${(err as Error).message}`);
      }
      return value => re.test(stringForm(value));
    }
    default:
      throw new FilterError(`unknown operator ${op}`);
  }
}

/** Compiles a filter document; throws FilterError when it is not a valid filter. */
export function compileFilter(doc: unknown): Predicate {
  if (!isObject(doc)) throw new FilterError('a filter is a JSON object');
  return compileAnd(doc);
}
