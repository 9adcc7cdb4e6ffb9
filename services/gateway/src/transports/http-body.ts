/**
 * Reading an HTTP API request's body, only once the request is authenticated (issue 15), and
 * never more than GATEWAY_MAX_BODY_BYTES of it: a `Content-Length` over the cap is refused
 * before a byte is read, and a body that grows past it while it streams (chunked) stops being
 * read at the cap. Either way the answer is HTTP 413 with the REQUEST_TOO_LARGE envelope and
 * the connection is closed, so the rest is never taken in.
 *
 * Parameters come from a JSON body or a form (go-cqhttp); a JSON body that does not parse is
 * HTTP 400 with an empty body, as go-cqhttp answers it.
 */
import type { IncomingMessage } from 'node:http';
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

/** Form and query values: JSON when they look like JSON and parse, text otherwise. */
export function decodeValue(value: string): unknown {
  const t = value.trimStart();
  if (t.startsWith('[') || t.startsWith('{')) {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  return value;
}

/** Parameters of a query or form; the first of repeated names wins. */
export function fromSearch(search: URLSearchParams): Record<string, unknown> {
  // No prototype: `__proto__=…` is a parameter like any other, never the object's prototype.
  const out = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of search) if (!Object.hasOwn(out, k)) out[k] = decodeValue(v);
  return out;
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) return Promise.reject(tooLarge(maxBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size <= maxBytes) return void chunks.push(c);
      // Stop taking bytes in; the 413 answer closes the connection.
      req.off('data', onData);
      req.pause();
      chunks.length = 0;
      reject(tooLarge(maxBytes));
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

export async function parseBody(req: IncomingMessage, maxBytes: number): Promise<ParsedBody> {
  if (req.method !== 'POST') return {};
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  const body = await readBody(req, maxBytes);
  if (type.includes('application/json')) {
    if (body.length === 0) return { json: {} };
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8'));
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
  if (type.includes('application/x-www-form-urlencoded'))
    return { form: fromSearch(new URLSearchParams(body.toString('utf8'))) };
  return {};
}
