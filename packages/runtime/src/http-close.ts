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

/**
 * Stops `server`: no new connections, idle keep-alive connections closed at once, requests in
 * progress given up to `drainMs`; then every connection left is destroyed. WebSockets in
 * `sockets` are sent `close(code, reason)` at once and terminated when `drainMs` is up.
 * Resolves once the server has closed.
 */
export async function closeHttpServer(
  server: Server,
  drainMs: number,
  sockets: Iterable<Closable> = [],
  close: { code: number; reason: string } = { code: 1001, reason: 'going away' },
): Promise<void> {
  const closed = new Promise<void>(resolve => server.close(() => resolve()));
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
}
