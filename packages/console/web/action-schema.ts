/**
 * The action form's pure parts: the catalogue the gateway answers (`GET /console/api/actions`:
 * every action of the OneBot table with the JSON Schema of its parameters' input), the fields
 * a parameter schema gives, and the parameter object the fields' values make.
 *
 * A field is a text input (string), a number input (number, integer), a checkbox (boolean), a
 * select (enum or const) or, for anything else (objects, arrays, unions such as `message`), a
 * JSON textarea. Empty fields are left out of the parameters: the action then takes its
 * default, as go-cqhttp does for a missing parameter.
 */

/** The subset of JSON Schema (draft 2020-12, as zod writes it) the form reads. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  description?: string;
  title?: string;
  default?: unknown;
}

export interface CatalogueAction {
  name: string;
  summary: string;
  origin: string;
  status: 'ready' | 'planned';
  /** `{}` when the gateway could not describe the parameters: raw JSON only. */
  params: JsonSchema;
}

export interface ActionCatalogue {
  actions: CatalogueAction[];
}

/** Reads the gateway's answer, keeping only well-formed entries. */
export function readCatalogue(body: unknown): CatalogueAction[] | undefined {
  const list = (body as { actions?: unknown } | null)?.actions;
  if (!Array.isArray(list)) return undefined;
  return list.filter(
    (a): a is CatalogueAction =>
      typeof a === 'object' &&
      a !== null &&
      typeof (a as CatalogueAction).name === 'string' &&
      typeof (a as CatalogueAction).params === 'object' &&
      (a as CatalogueAction).params !== null,
  );
}

/** What an option of the action picker says besides the name. */
export function actionLabel(a: CatalogueAction): string {
  return `${a.summary} (${a.origin}${a.status === 'planned' ? ', planned' : ''})`;
}

export type FieldKind = 'string' | 'number' | 'integer' | 'boolean' | 'enum' | 'json';

export interface FormField {
  name: string;
  kind: FieldKind;
  required: boolean;
  description?: string;
  default?: unknown;
  /** The choices of an `enum` field. */
  options?: unknown[];
}

/** A field's value as its control holds it: text (or an option's index) or a checkbox. */
export type FieldValue = string | boolean;
export type FieldValues = Record<string, FieldValue>;

const isNull = (s: JsonSchema) => s.type === 'null';

/** `X | null` (nullish, optional) reads as X; anything else stays as it is. */
function unwrapNullable(s: JsonSchema): JsonSchema {
  const union = s.anyOf ?? s.oneOf;
  if (union) {
    const rest = union.filter(b => !isNull(b));
    if (rest.length === 1 && rest.length < union.length)
      return { ...rest[0], description: s.description ?? rest[0]!.description };
  }
  if (Array.isArray(s.type)) {
    const rest = s.type.filter(t => t !== 'null');
    if (rest.length === 1) return { ...s, type: rest[0] };
  }
  return s;
}

const isPrimitive = (v: unknown) =>
  v === null || ['string', 'number', 'boolean'].includes(typeof v);

function kindOf(s: JsonSchema): Pick<FormField, 'kind' | 'options'> {
  if (Array.isArray(s.enum) && s.enum.length > 0 && s.enum.every(isPrimitive))
    return { kind: 'enum', options: s.enum };
  if ('const' in s && isPrimitive(s.const)) return { kind: 'enum', options: [s.const] };
  if (s.anyOf || s.oneOf) return { kind: 'json' };
  switch (s.type) {
    case 'string':
    case 'number':
    case 'integer':
    case 'boolean':
      return { kind: s.type };
    default:
      return { kind: 'json' };
  }
}

/**
 * The fields of a parameter schema, in its order; `undefined` when the schema is no object
 * with properties the form can show (`{}`: the gateway could not describe it), `[]` for an
 * action without parameters.
 */
export function fieldsOf(schema: JsonSchema): FormField[] | undefined {
  if (schema.type !== 'object') return undefined;
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, raw]) => {
    const s = unwrapNullable(raw);
    const field: FormField = { name, ...kindOf(s), required: required.has(name) };
    const description = s.description ?? s.title;
    if (description) field.description = description;
    if ('default' in s) field.default = s.default;
    return field;
  });
}

/** Values of untouched fields: empty, and checkboxes as their default says. */
export function initialValues(fields: readonly FormField[]): FieldValues {
  const values: FieldValues = {};
  for (const f of fields) values[f.name] = f.kind === 'boolean' ? f.default === true : '';
  return values;
}

/** What an empty field leaves the action to: its default, when the schema says one. */
export function placeholderOf(f: FormField): string {
  if (f.default === undefined) return f.required ? '' : 'left empty: not sent';
  const shown = JSON.stringify(f.default);
  return f.default === '' ? 'default: empty' : `default: ${shown}`;
}

export type BuiltParams =
  { ok: true; params: Record<string, unknown> } | { ok: false; field: string; message: string };

/** The parameter object of the fields' values; empty fields are left out. */
export function buildParams(fields: readonly FormField[], values: FieldValues): BuiltParams {
  const params: Record<string, unknown> = {};
  for (const f of fields) {
    const v = values[f.name];
    const fail = (message: string): BuiltParams => ({ ok: false, field: f.name, message });
    if (f.kind === 'boolean') {
      // Left out when it says what the action assumes anyway.
      const checked = v === true;
      if (checked !== (f.default === true)) params[f.name] = checked;
      continue;
    }
    const text = typeof v === 'string' ? v : '';
    if (text.trim() === '') {
      if (f.required) return fail(`${f.name} is required.`);
      continue;
    }
    switch (f.kind) {
      case 'string':
        params[f.name] = text;
        break;
      case 'number':
      case 'integer': {
        const n = Number(text.trim());
        if (!Number.isFinite(n)) return fail(`${f.name} is not a number.`);
        if (f.kind === 'integer' && !Number.isInteger(n))
          return fail(`${f.name} is a whole number.`);
        params[f.name] = n;
        break;
      }
      case 'enum': {
        const i = Number(text);
        if (!f.options || !Number.isInteger(i) || i < 0 || i >= f.options.length)
          return fail(`${f.name}: pick one of its values.`);
        params[f.name] = f.options[i];
        break;
      }
      case 'json':
        try {
          params[f.name] = JSON.parse(text) as unknown;
        } catch {
          return fail(`${f.name} is not JSON (a string is written in quotes: "hello").`);
        }
        break;
    }
  }
  return { ok: true, params };
}

/**
 * The fields' values for a parameter object (from the raw JSON, when the operator switches
 * back to the form); parameters the form has no field for are named in `dropped`.
 */
export function valuesFromParams(
  fields: readonly FormField[],
  params: Record<string, unknown>,
): { values: FieldValues; dropped: string[] } {
  const values = initialValues(fields);
  const known = new Set(fields.map(f => f.name));
  const dropped = Object.keys(params).filter(k => !known.has(k));
  for (const f of fields) {
    const v = params[f.name];
    if (v === undefined || v === null) continue;
    switch (f.kind) {
      case 'boolean':
        values[f.name] = v === true || v === 1 || v === 'true';
        break;
      case 'enum': {
        const i = f.options?.findIndex(o => o === v) ?? -1;
        if (i >= 0) values[f.name] = String(i);
        else dropped.push(f.name);
        break;
      }
      case 'json':
        values[f.name] = JSON.stringify(v);
        break;
      default:
        if (isPrimitive(v)) values[f.name] = String(v);
        else dropped.push(f.name);
    }
  }
  return { values, dropped };
}

/** Parses the raw textarea: a JSON object, or why not. */
export function parseRawParams(
  text: string,
): { ok: true; params: Record<string, unknown> } | { ok: false; message: string } {
  let parsed: unknown;
  try {
    parsed = text.trim() === '' ? {} : (JSON.parse(text) as unknown);
  } catch (err) {
    return { ok: false, message: `Parameters are not JSON: ${String(err)}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return { ok: false, message: 'Parameters are a JSON object: {…}.' };
  return { ok: true, params: parsed as Record<string, unknown> };
}
