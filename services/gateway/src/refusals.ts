/**
 * Refusals of hostile or oversized input (issue 15), in one place: each is counted in
 * `cqfleet_gateway_refused_total{reason}` and, where the client can still be answered, carries
 * go-cqhttp's failure envelope with its tag from the error catalogue.
 *
 * | reason                  | answer                                                   |
 * | `token_missing`         | HTTP 401 `TOKEN_MISSING` (retcode 1401)                  |
 * | `token_invalid`         | HTTP 403 `TOKEN_INVALID` (retcode 1403)                  |
 * | `body_too_large`        | HTTP 413 `REQUEST_TOO_LARGE`                             |
 * | `frame_too_large`       | WebSocket close 1009                                     |
 * | `request_timeout`       | HTTP 408 (Node's), headers or body too slow              |
 * | `slow_consumer`         | WebSocket close 1008 "slow consumer"                     |
 * | `rate_limit_queue_full` | `RATE_LIMIT_QUEUE_FULL`                                  |
 * | `http_rate_limit_full`  | `RATE_LIMIT_QUEUE_FULL` (an account's HTTP bucket queue) |
 * | `too_many_in_flight`    | `RATE_LIMIT_QUEUE_FULL` (an account's HTTP requests)     |
 * | `long_poll_waiters_full`| `RATE_LIMIT_QUEUE_FULL` (an account's `get_updates`)     |
 * | `body_budget_full`      | HTTP 429 `RATE_LIMIT_QUEUE_FULL` (a token's bodies being read) |
 * | `too_many_connections`  | HTTP 429 `RATE_LIMIT_QUEUE_FULL` (an account's WebSockets) |
 * | `operator_only`         | `OPERATOR_ONLY`                                          |
 * | `filter_refused`        | `reload_event_filter` of a file it may not read          |
 * | `quick_step_refused`    | an HTTP POST reply's quick-operation step its endpoint may not call: not run |
 * | `json_shape`            | `REQUEST_TOO_LARGE` (HTTP 413 for a body): JSON nested past 64 levels or of over a million values, a form of over 10,000 fields |
 */
import type { Duplex } from 'node:stream';
import { type ErrorTag, failedTag, serialize } from '@cqfleet/onebot';
import { counter } from '@cqfleet/runtime';

export type RefusalReason =
  | 'token_missing'
  | 'token_invalid'
  | 'body_too_large'
  | 'frame_too_large'
  | 'request_timeout'
  | 'slow_consumer'
  | 'rate_limit_queue_full'
  | 'http_rate_limit_full'
  | 'too_many_in_flight'
  | 'long_poll_waiters_full'
  | 'too_many_connections'
  | 'body_budget_full'
  | 'operator_only'
  | 'filter_refused'
  | 'quick_step_refused'
  | 'json_shape';

const refusedTotal = counter(
  'cqfleet_gateway_refused_total',
  'Requests and connections refused as hostile or over a limit, by reason',
  ['reason'],
);

export function countRefusal(reason: RefusalReason): void {
  refusedTotal.inc({ reason });
}

/** The refusal of an authentication failure: status, tag and counted reason. */
export function authRefusal(status: 401 | 403): {
  status: 401 | 403;
  tag: ErrorTag;
  reason: RefusalReason;
} {
  return status === 401
    ? { status, tag: 'TOKEN_MISSING', reason: 'token_missing' }
    : { status, tag: 'TOKEN_INVALID', reason: 'token_invalid' };
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
};

/** The envelope of a refusal, as the body of an HTTP answer. */
export function refusalBody(tag: ErrorTag, wording?: string): string {
  return serialize(failedTag(tag, wording));
}

/**
 * Answers an upgrade request on its raw socket (no WebSocket yet) and closes it: the status,
 * `Connection: close` and `body` (an envelope). Nothing more is read from the client: the
 * socket is destroyed once the answer is written, as Node's HTTP server does after a response
 * with `Connection: close`.
 */
export function writeRawRefusal(socket: Duplex, status: number, body: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nConnection: close\r\n` +
      `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}
