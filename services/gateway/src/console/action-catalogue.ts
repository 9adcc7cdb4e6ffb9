/**
 * The action table as the console's action form reads it (`GET /console/api/actions`): every
 * action of `@cqfleet/onebot` with its summary, origin, status and the JSON Schema of what a
 * client may send as its parameters.
 *
 * The schemas are zod's own conversion (`z.toJSONSchema`, zod v4) of each action's `params`
 * on its *input* side: the table's parameters coerce and preprocess (`"123"` reads as 123,
 * `message` is normalised to segments), and what the form must describe is what goes in, not
 * what the handler receives. Transforms have no JSON Schema: with `unrepresentable: 'any'`
 * they read as `{}` (any value), and an action whose schema still cannot be converted is listed
 * with `params: {}` and counted in `unconverted`, so that one odd schema never takes the
 * catalogue (or the gateway's start) down.
 *
 * The answer is built once, at start, and kept as the JSON text it is sent as, with its ETag:
 * the table does not change while the gateway runs.
 */
import { createHash } from 'node:crypto';
import { actions as actionTable, type ActionSpec } from '@cqfleet/onebot';
import { z } from 'zod';

/** One action as the console lists it. */
export interface CatalogueAction {
  name: string;
  summary: string;
  origin: ActionSpec['origin'];
  status: ActionSpec['status'];
  /** JSON Schema (draft 2020-12) of the parameters' input; `{}` when it could not be made. */
  params: Record<string, unknown>;
}

export interface ActionCatalogue {
  actions: CatalogueAction[];
  /** Actions whose parameter schema could not be converted (listed with `params: {}`). */
  unconverted: number;
}

/** The JSON Schema of a parameter schema's input, or undefined when zod cannot convert it. */
export function paramsJsonSchema(schema: z.ZodType): Record<string, unknown> | undefined {
  try {
    const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<
      string,
      unknown
    >;
    // The page needs no meta-schema URI 150 times over.
    delete json.$schema;
    return json;
  } catch {
    return undefined;
  }
}

/** Every action of `table` (the OneBot action table by default), in table order. */
export function buildActionCatalogue(
  table: Readonly<Record<string, ActionSpec>> = actionTable,
): ActionCatalogue {
  let unconverted = 0;
  const list = Object.entries(table).map(([name, spec]): CatalogueAction => {
    const params = paramsJsonSchema(spec.params);
    if (!params) unconverted++;
    return {
      name,
      summary: spec.summary,
      origin: spec.origin,
      status: spec.status,
      params: params ?? {},
    };
  });
  return { actions: list, unconverted };
}

/** The catalogue as it is answered: its JSON text and a strong ETag of it. */
export interface CatalogueBody {
  json: string;
  etag: string;
  count: number;
  unconverted: number;
}

export function catalogueBody(catalogue: ActionCatalogue = buildActionCatalogue()): CatalogueBody {
  const json = JSON.stringify(catalogue);
  const etag = `"${createHash('sha256').update(json).digest('base64url').slice(0, 27)}"`;
  return { json, etag, count: catalogue.actions.length, unconverted: catalogue.unconverted };
}
