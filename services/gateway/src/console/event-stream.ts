/**
 * One account's live events for the console (issue 19, point 4):
 *
 *   GET /console/api/accounts/{uin}/events      behind the admin token (admin/json-api.ts)
 *
 * The answer is `200 application/x-ndjson`, chunked: one event per line, as the event hub
 * delivers it (the `array` message format, the bytes the session published), from the moment
 * the answer's headers are sent until the client goes. An empty line is written every
 * {@link KEEPALIVE_MS} so idle proxies keep the connection and a client that is gone is found.
 * The page reads it with fetch and a ReadableStream: EventSource cannot send the
 * `Authorization` header, and the token never goes in a URL.
 *
 * Bounded, like the forward WebSocket's event connections (transports/ws-send.ts):
 * - at most `maxStreams` streams per gateway (GATEWAY-wide, all accounts): the next one is
 *   429 `TOO_MANY_STREAMS`;
 * - a reader that leaves more than `maxBuffered` bytes unread is cut off (the connection is
 *   destroyed, counted as `slow_consumer`) rather than buffered without limit;
 * - the hub subscription ends when the client goes, the connection fails, or the gateway stops
 *   ({@link EventStreams.closeAll}).
 * The subscription is confirmed by NATS before the headers go out, so an event published after
 * the client has seen the answer begin reaches it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@cqfleet/runtime';
import { type AdminRoute, ApiError, requireAdminToken, sendJson } from '../admin/json-api.js';
import type { EventHub } from '../events/event-hub.js';
import { countRefusal } from '../refusals.js';
import { CONSOLE_API_PREFIX } from './console-api.js';

/** Streams one gateway serves at once, every account together. */
export const DEFAULT_MAX_STREAMS = 8;
/** Bytes a stream's reader may leave unread before it is cut off. */
export const DEFAULT_STREAM_MAX_BUFFERED = 1024 * 1024;
/** An empty line this often, so a quiet stream stays open and a dead reader is noticed. */
export const KEEPALIVE_MS = 15_000;

const PATH = /^\/accounts\/(\d{1,15})\/events\/?$/;
const KEEPALIVE = Buffer.from('\n');

export interface EventStreamOptions {
  hub: Pick<EventHub, 'subscribe' | 'flushed'>;
  /** Empty: refused (403 ADMIN_DISABLED), like every admin route. */
  token: string;
  log: Logger;
  maxStreams?: number;
  maxBuffered?: number;
  keepaliveMs?: number;
}

/** The streams open on this gateway, and the route that opens them. */
export class EventStreams {
  private readonly open = new Set<ServerResponse>();
  private readonly maxStreams: number;
  private readonly maxBuffered: number;
  private readonly keepaliveMs: number;

  constructor(private readonly opts: EventStreamOptions) {
    this.maxStreams = opts.maxStreams ?? DEFAULT_MAX_STREAMS;
    this.maxBuffered = opts.maxBuffered ?? DEFAULT_STREAM_MAX_BUFFERED;
    this.keepaliveMs = opts.keepaliveMs ?? KEEPALIVE_MS;
  }

  /** How many streams are open now. */
  get size(): number {
    return this.open.size;
  }

  /** The admin route of the stream; false for every other path. */
  route(): AdminRoute {
    return async (req, res, path) => {
      if (!path.startsWith(`${CONSOLE_API_PREFIX}/`)) return false;
      const m = PATH.exec(path.slice(CONSOLE_API_PREFIX.length));
      if (!m) return false;
      try {
        requireAdminToken(req, this.opts.token);
        if (req.method !== 'GET') throw new ApiError(405, 'METHOD', `GET ${path}`);
        const uin = Number(m[1]);
        if (!Number.isSafeInteger(uin) || uin <= 0) throw new ApiError(400, 'BAD_UIN', 'bad uin');
        if (this.open.size >= this.maxStreams)
          throw new ApiError(
            429,
            'TOO_MANY_STREAMS',
            `at most ${this.maxStreams} event streams per gateway; close one`,
          );
        await this.serve(req, res, uin);
      } catch (err) {
        if (res.headersSent) res.destroy();
        else if (err instanceof ApiError)
          sendJson(res, err.status, { error: { code: err.code, message: err.message } });
        else {
          this.opts.log.error({ err }, 'console event stream failed');
          sendJson(res, 500, { error: { code: 'INTERNAL', message: 'internal error' } });
        }
      }
      return true;
    };
  }

  private async serve(req: IncomingMessage, res: ServerResponse, uin: number): Promise<void> {
    // Counted from now: a stream waiting for NATS holds its place too.
    this.open.add(res);
    let ended = false;
    const timer: { keepalive?: NodeJS.Timeout } = {};
    let unsubscribe: () => void = () => undefined;
    const end = () => {
      if (ended) return;
      ended = true;
      this.open.delete(res);
      unsubscribe();
      if (timer.keepalive) clearInterval(timer.keepalive);
    };
    // The answer's connection closes when the client goes, whatever the request side did.
    res.on('close', end);
    req.resume();
    let started = false;
    const write = (bytes: Buffer) => {
      // Events before the headers are dropped: the stream begins with its answer.
      if (ended || !started || res.destroyed) return;
      if (res.writableLength > this.maxBuffered) {
        countRefusal('slow_consumer');
        this.opts.log.info({ uin }, 'console event stream cut off: its reader is too slow');
        // Let go of the hub now: nothing more is queued for this reader, not even until the
        // connection's close comes round.
        end();
        res.destroy();
        return;
      }
      res.write(bytes);
    };
    unsubscribe = this.opts.hub.subscribe(uin, event => write(event.frame('array')));
    try {
      await this.opts.hub.flushed();
    } catch (err) {
      end();
      throw err;
    }
    if (ended) return;
    res.writeHead(200, {
      'content-type': 'application/x-ndjson; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    res.flushHeaders();
    started = true;
    timer.keepalive = setInterval(() => write(KEEPALIVE), this.keepaliveMs);
    timer.keepalive.unref();
    this.opts.log.info({ uin }, 'console event stream opened');
  }

  /** Ends every stream (the gateway is stopping). */
  closeAll(): void {
    for (const res of [...this.open]) res.end();
  }
}
