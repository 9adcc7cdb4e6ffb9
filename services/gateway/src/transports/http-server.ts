/**
 * The Node HTTP server under both client ports (HTTP API, forward WebSocket), with the time a
 * client may take set deliberately rather than left to Node's defaults (60 s for headers,
 * checked every 30 s): a client that sends its headers or its request too slowly (slowloris)
 * gets 408 and its connection closed, counted as `request_timeout`.
 */
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { countRefusal } from '../refusals.js';

export interface HttpLimits {
  /** GATEWAY_HTTP_HEADERS_TIMEOUT_MS: from the connection (or the previous request) to the end of the headers. */
  headersTimeoutMs: number;
  /** GATEWAY_HTTP_REQUEST_TIMEOUT_MS: the whole request, body included. */
  requestTimeoutMs: number;
}

/** Node's own answers to a request it could not take, as it writes them without a listener. */
const CLIENT_ERRORS: Record<string, string> = {
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
};

export function createBoundedServer(
  limits: HttpLimits,
  listener?: RequestListener<typeof IncomingMessage, typeof ServerResponse>,
): Server {
  const server = createServer({
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    // How often Node looks for expired requests; its default (30 s) would stretch the limits.
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, limits.headersTimeoutMs / 4)),
  });
  if (listener) server.on('request', listener);
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') countRefusal('request_timeout');
    // As Node does without a listener: answer unless a response has begun, then close.
    const conn = socket as Socket & { _httpMessage?: { headersSent?: boolean } };
    if (conn.writable && !conn._httpMessage?.headersSent && err.code !== 'ECONNRESET') {
      conn.write(
        `HTTP/1.1 ${CLIENT_ERRORS[err.code ?? ''] ?? '400 Bad Request'}\r\nConnection: close\r\n\r\n`,
      );
      conn.destroySoon();
    } else conn.destroy();
  });
  return server;
}
