/**
 * Stopping an HTTP server within a bound, whatever its clients do. `server.close()` alone waits
 * for every open connection: a client that connected and never sent a request, a slow one, a
 * WebSocket that never answers the closing handshake would keep a stopping service alive until
 * its grace period ran out (and it exited with a failure).
 */
import type { Server } from 'node:http';

/** A WebSocket (`ws`): asked to close, then cut. */
export interface Closable {
  close(code?: number, reason?: string): void;
  terminate(): void;
  readonly readyState: number;
}

const CLOSED = 3;

export interface Closing {
  /**
   * Closes idle keep-alive connections at once, sends `close` to the WebSockets in `sockets`,
   * gives what is still in progress up to `drainMs`, then destroys every connection left.
   * Resolves once the server has closed.
   */
  finish(
    drainMs: number,
    sockets?: Iterable<Closable>,
    close?: { code: number; reason: string },
  ): Promise<void>;
}

/**
 * Stops accepting connections now; the connections already open are ended by `finish`, which
 * a service calls once it has answered what it had taken on (requests, actions in flight).
 */
export function stopAccepting(server: Server): Closing {
  const closed = new Promise<void>(resolve => server.close(() => resolve()));
  return {
    finish: async (drainMs, sockets = [], close = { code: 1001, reason: 'going away' }) => {
      server.closeIdleConnections();
      const open = [...sockets];
      for (const ws of open) ws.close(close.code, close.reason);
      let timer: NodeJS.Timeout | undefined;
      const cut = new Promise<void>(resolve => {
        timer = setTimeout(resolve, drainMs);
      });
      await Promise.race([closed, cut]);
      clearTimeout(timer);
      for (const ws of open) if (ws.readyState !== CLOSED) ws.terminate();
      server.closeAllConnections();
      await closed;
    },
  };
}

/** Stops `server` at once and bounds the rest to `drainMs` (see {@link Closing.finish}). */
export function closeHttpServer(
  server: Server,
  drainMs: number,
  sockets: Iterable<Closable> = [],
  close?: { code: number; reason: string },
): Promise<void> {
  return stopAccepting(server).finish(drainMs, sockets, close);
}
