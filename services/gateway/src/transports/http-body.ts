/**
 * Reading an HTTP API request's body, only once the request is authenticated (issue 15), and
 * never more than GATEWAY_MAX_BODY_BYTES of it: a `Content-Length` over the cap is refused
 * before a byte is read, and a body that grows past it while it streams (chunked) stops being
 * read at the cap. Either way the answer is HTTP 413 with the REQUEST_TOO_LARGE envelope and
 * the connection is closed, so the rest is never taken in.
 *
 * The bodies one token's requests have in memory while they are read and parsed are bounded
 * together (a `Budget` per token, GATEWAY_HTTP_BODY_BYTES_PER_TOKEN): the cap above is per request,
 * and a client with a valid token opens as many connections as it likes, so without it a few
 * hundred slow 48 MiB uploads held gigabytes of one replica every tenant shares. A body that
 * would pass the budget stops being read: HTTP 429 with RATE_LIMIT_QUEUE_FULL, connection
 * closed. Before the body the account may be unknown (the body may name it), so the budget is
 * the token's, which is the tenant.
 *
 * Parameters come from a JSON body or a form (go-cqhttp); a JSON body that does not parse is
 * HTTP 400 with an empty body, as go-cqhttp answers it. A JSON body nested past 64 levels or of
 * over a million values (`jsonShapeProblem`) is HTTP 413 REQUEST_TOO_LARGE before it is
 * parsed: within the byte cap, 48 MiB of `{},` is some 16 million objects once parsed, a GiB
 * of a replica every tenant shares, which the byte budget above does not see.
 */
import type { IncomingMessage } from 'node:http';
import {
  type Budget,
  describeJsonShape,
  jsonShapeProblem,
  jsonValuesWithin,
  MAX_JSON_VALUES,
} from '@cqfleet/runtime';
import { countRefusal, refusalBody } from '../refusals.js';

/** An answer other than 200: its status, its body (empty or an envelope). */
export class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    readonly body = '',
  ) {
    super(String(status));
  }
}

export function tooLarge(maxBytes: number): HttpRefusal {
  countRefusal('body_too_large');
  return new HttpRefusal(413, refusalBody('REQUEST_TOO_LARGE', `请求体超过上限 ${maxBytes} 字节`));
}

/** The most fields a form body may have: go-cqhttp's forms have a handful. */
export const MAX_FORM_FIELDS = 10_000;

/**
 * Form and query values: JSON when they look like JSON and parse, text otherwise. The values
 * of one form share one budget of JSON values (`left`, MAX_JSON_VALUES): a value past it, or
 * nested past 64 levels, stays text (the action's schema refuses it), so many fields of
 * 900,000 values each cannot add up to the millions of objects one body may not make.
 */
export function decodeValue(value: string, budget = { left: MAX_JSON_VALUES }): unknown {
  const t = value.trimStart();
  if (!t.startsWith('[') && !t.startsWith('{')) return value;
  const values = jsonValuesWithin(value, budget.left);
  if (values === undefined) return value;
  try {
    const parsed = JSON.parse(value) as unknown;
    budget.left -= values;
    return parsed;
  } catch {
    return value;
  }
}

/** Parameters of a query or form; the first of repeated names wins. */
export function fromSearch(search: URLSearchParams): Record<string, unknown> {
  // No prototype: `__proto__=…` is a parameter like any other, never the object's prototype.
  const out = Object.create(null) as Record<string, unknown>;
  const budget = { left: MAX_JSON_VALUES };
  for (const [k, v] of search) if (!Object.hasOwn(out, k)) out[k] = decodeValue(v, budget);
  return out;
}

/** The budget one request reads against, and what it has taken of it. */
export interface BodyAccount {
  /** Bytes of request bodies being read, per token (its grant), on this replica. */
  budget: Budget<object>;
  key: object;
  taken: number;
}

function overBudget(account: BodyAccount): HttpRefusal {
  countRefusal('body_budget_full');
  const wording = `该令牌正在读取的请求体已达上限 (${account.budget.max} 字节), 请稍后再试`;
  return new HttpRefusal(429, refusalBody('RATE_LIMIT_QUEUE_FULL', wording));
}

function readBody(req: IncomingMessage, maxBytes: number, account?: BodyAccount): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) return Promise.reject(tooLarge(maxBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (refusal: HttpRefusal) => {
      // Stop taking bytes in; the answer closes the connection.
      req.off('data', onData);
      req.pause();
      chunks.length = 0;
      reject(refusal);
    };
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) return stop(tooLarge(maxBytes));
      if (account) {
        if (!account.budget.take(account.key, c.length)) return stop(overBudget(account));
        account.taken += c.length;
      }
      chunks.push(c);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export interface ParsedBody {
  json?: Record<string, unknown>;
  form?: Record<string, unknown>;
}

/**
 * The parameters of a POST body of at most `maxBytes`, read against the token's `budget` when
 * given (given back once parsed, whatever the outcome).
 */
export async function parseBody(
  req: IncomingMessage,
  maxBytes: number,
  budget?: { budget: Budget<object>; key: object },
): Promise<ParsedBody> {
  if (req.method !== 'POST') return {};
  const account = budget && { ...budget, taken: 0 };
  try {
    return parseRead(req, await readBody(req, maxBytes, account));
  } finally {
    if (account) account.budget.give(account.key, account.taken);
  }
}

function parseRead(req: IncomingMessage, body: Buffer): ParsedBody {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (type.includes('application/json')) {
    if (body.length === 0) return { json: {} };
    const text = body.toString('utf8');
    const shape = jsonShapeProblem(text);
    if (shape) {
      countRefusal('json_shape');
      throw new HttpRefusal(
        413,
        refusalBody('REQUEST_TOO_LARGE', `请求体${describeJsonShape(shape)}`),
      );
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new HttpRefusal(400);
    }
    return {
      json:
        typeof value === 'object' && value !== null && !Array.isArray(value)
          ? (value as Record<string, unknown>)
          : {},
    };
  }
  if (type.includes('application/x-www-form-urlencoded')) {
    const text = body.toString('utf8');
    // Counted before URLSearchParams holds every field: 48 MiB of `a&` is 24 M of them.
    if (fieldsOver(text, MAX_FORM_FIELDS)) {
      countRefusal('json_shape');
      throw new HttpRefusal(
        413,
        refusalBody('REQUEST_TOO_LARGE', `表单字段超过 ${MAX_FORM_FIELDS} 个`),
      );
    }
    return { form: fromSearch(new URLSearchParams(text)) };
  }
  return {};
}

/** True when `text` has more than `max` `&`-separated fields. */
function fieldsOver(text: string, max: number): boolean {
  let fields = 1;
  for (let at = text.indexOf('&'); at >= 0; at = text.indexOf('&', at + 1))
    if (++fields > max) return true;
  return false;
}
