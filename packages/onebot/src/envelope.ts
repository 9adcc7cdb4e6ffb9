/**
 * The response envelope exactly as go-cqhttp sends it (reference §2.1):
 *
 *   ok:     {"data": <any>, "message": "", "retcode": 0, "status": "ok"}
 *   failed: {"data": null, "message": <wording>, "msg": <TAG>, "retcode": <code>,
 *            "status": "failed", "wording": <wording>}
 *   async:  {"data": null, "message": "", "retcode": 1, "status": "async"}   (OneBot v11)
 *
 * Keys are in go-cqhttp's (alphabetical) order, `echo` included, and serialised bodies end
 * with a newline. `echo` (WebSocket only) is returned unchanged, whatever its JSON type.
 */
import { ERRORS, type ErrorTag, isOneBotError } from './errors.js';

export interface OkResponse<T = unknown> {
  data: T;
  echo?: unknown;
  message: '';
  retcode: 0;
  status: 'ok';
}

export interface FailedResponse {
  data: null;
  echo?: unknown;
  message: string;
  msg: string;
  retcode: number;
  status: 'failed';
  wording: string;
}

export interface AsyncResponse {
  data: null;
  echo?: unknown;
  message: '';
  retcode: 1;
  status: 'async';
}

export type ActionResponse<T = unknown> = OkResponse<T> | FailedResponse | AsyncResponse;

export function ok<T>(data: T): OkResponse<T> {
  return { data, message: '', retcode: 0, status: 'ok' };
}

export function failed(retcode: number, msg: string, wording: string): FailedResponse {
  return { data: null, message: wording, msg, retcode, status: 'failed', wording };
}

export function failedTag(tag: ErrorTag, wording?: string): FailedResponse {
  const spec = ERRORS[tag];
  return failed(spec.retcode, tag, wording ?? spec.wording);
}

export function asyncAccepted(): AsyncResponse {
  return { data: null, message: '', retcode: 1, status: 'async' };
}

/**
 * The one mapping from a thrown value to an envelope. Known failures keep their tag; anything
 * else is an internal error whose details belong in logs, not in the response.
 */
export function toFailure(err: unknown): FailedResponse {
  if (isOneBotError(err)) return failed(err.retcode, err.msg, err.wording);
  return failedTag('INTERNAL_ERROR');
}

/** Adds `echo` in its alphabetical place (after `data`), only when the request had one. */
export function withEcho<R extends ActionResponse>(
  response: R,
  hasEcho: boolean,
  echo: unknown,
): R {
  if (!hasEcho) return response;
  const { data, ...rest } = response;
  return { data, echo, ...rest } as R;
}

/** JSON with go-cqhttp's trailing newline. */
export function serialize(value: unknown): string {
  return JSON.stringify(value) + '\n';
}
