/**
 * Serving OneBot requests on a WebSocket, forward or reverse: every text frame is one request,
 * handled on its own (replies may come out of order); `echo` comes back unchanged with its JSON
 * type; binary frames are ignored; a frame that is not a JSON object is answered with a
 * failure rather than a closed socket. A failure never carries `echo: null` (node-napcat-ts
 * stops reconnecting on such a frame): a request whose echo was null gets none. At most
 * GATEWAY_WS_MAX_IN_FLIGHT requests of a connection are handled at once; an `_async` request
 * counts until its action is done, not only until its `async` answer is sent.
 */
import { type ActionResponse, failedTag, serialize, toFailure, withEcho } from '@cqfleet/onebot';
import { describeJsonShape, jsonShapeProblem } from '@cqfleet/runtime';
import type { WebSocket } from 'ws';
import type { Grant } from '../auth/tokens.js';
import type { Settings } from '../config.js';
import { countRefusal } from '../refusals.js';
import type { ActionCalls } from '../routing/router.js';
import type { TokenBucket } from './token-bucket.js';
import { sendBounded } from './ws-send.js';

export interface RequestScope {
  selfId: number;
  settings: Settings;
  grant: Grant;
  limiter: TokenBucket;
  /** GATEWAY_WS_MAX_BUFFERED_BYTES. */
  maxBuffered: number;
  /** GATEWAY_WS_MAX_IN_FLIGHT: unanswered requests before the socket is no longer read. */
  maxInFlight: number;
}

function reply(response: ActionResponse, hasEcho: boolean, echo: unknown): string {
  const keep = hasEcho && !(echo === null && response.status === 'failed');
  try {
    return serialize(withEcho(response, keep, echo));
  } catch {
    // An echo JSON.parse could read but JSON.stringify cannot write back (nested thousands
    // deep): answered without it rather than thrown into nothing.
    return serialize(failedTag('INVALID_PARAMS', 'echo 无法原样返回'));
  }
}

export function serveRequests(ws: WebSocket, scope: RequestScope, router: ActionCalls): void {
  // Requests are handled concurrently, but not without bound: at maxInFlight unanswered ones
  // the socket is paused (TCP pushes back on the client) and what was already read waits in a
  // backlog (at most what one read brought in) until answers go out.
  let inFlight = 0;
  const backlog: Array<() => Promise<void>> = [];
  // Work that only waits for this client (a long poll) stops when it goes.
  const gone = new AbortController();
  ws.once('close', () => gone.abort());
  const start = (handle: () => Promise<void>) => {
    inFlight++;
    void handle().finally(() => {
      inFlight--;
      const next = backlog.shift();
      if (next) start(next);
      else if (ws.isPaused) ws.resume();
    });
  };
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const text = data.toString();
    // Nested past 64 levels or of over a million values: not parsed (json-depth.ts).
    const shape = jsonShapeProblem(text);
    if (shape) {
      countRefusal('json_shape');
      sendBounded(
        ws,
        serialize(failedTag('REQUEST_TOO_LARGE', `请求${describeJsonShape(shape)}`)),
        scope.maxBuffered,
      );
      return;
    }
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      frame = undefined;
    }
    if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
      sendBounded(
        ws,
        serialize(failedTag('INVALID_PARAMS', '请求不是 JSON 对象')),
        scope.maxBuffered,
      );
      return;
    }
    const req = frame as { action?: unknown; params?: unknown; echo?: unknown };
    const hasEcho = 'echo' in req;
    const action = typeof req.action === 'string' ? req.action : '';
    // An `_async` call's work, still running after its answer: the request stays in flight
    // until it settles (it never rejects).
    let background: Promise<void> | undefined;
    const handle = () =>
      scope.limiter
        .take()
        .then(() =>
          router.call(action, req.params ?? {}, {
            selfId: scope.selfId,
            format: scope.settings.messageFormat,
            grant: scope.grant,
            signal: gone.signal,
            background: work => {
              background = work;
            },
          }),
        )
        .catch((err: unknown) => toFailure(err))
        .then(response => {
          sendBounded(ws, reply(response, hasEcho, req.echo), scope.maxBuffered);
        })
        .catch(() => undefined) // a socket closed meanwhile: nobody to answer
        .then(() => background);
    if (inFlight < scope.maxInFlight) start(handle);
    else {
      backlog.push(handle);
      ws.pause();
    }
  });
}
