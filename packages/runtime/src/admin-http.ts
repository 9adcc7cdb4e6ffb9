/**
 * The admin endpoint every service exposes for orchestrators: `GET /healthz` (the process is
 * alive), `GET /readyz` (it can do its work), with a JSON body describing its state, and
 * `GET /metrics` (Prometheus text format).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeHttpServer } from './http-close.js';
import type { AddressInfo } from 'node:net';
import { metricsRegistry } from './metrics.js';

/**
 * On the probes' answers: state of the moment, never cached, never sniffed as a page (the
 * gateway's admin port also serves the operator's console, on the same origin).
 */
const PROBE_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

export interface AdminProbe {
  ready(): boolean;
  info(): Record<string, unknown>;
  /** Further routes (a service's admin API): true when it answered the request. */
  routes?(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean>;
}

export async function startAdminServer(
  host: string,
  port: number,
  probe: AdminProbe,
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', ...PROBE_HEADERS });
      res.end(JSON.stringify(body));
    };
    if (path === '/healthz') return send(200, { ok: true });
    if (path === '/metrics') {
      metricsRegistry
        .metrics()
        .then(text => {
          res.writeHead(200, { 'content-type': metricsRegistry.contentType, ...PROBE_HEADERS });
          res.end(text);
        })
        .catch(() => send(500, { error: 'metrics failed' }));
      return;
    }
    if (path === '/readyz') {
      const ready = probe.ready();
      return send(ready ? 200 : 503, { ready, ...probe.info() });
    }
    if (!probe.routes) return send(404, { error: 'not found' });
    probe
      .routes(req, res, path ?? '/')
      .then(answered => {
        if (!answered) send(404, { error: 'not found' });
      })
      .catch(() => {
        if (!res.headersSent) send(500, { error: 'internal error' });
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    // Probes and scrapes are short: whatever is still open after a moment is cut.
    close: () => closeHttpServer(server, 500),
  };
}

/** The admin endpoint when `port` is configured, a no-op otherwise (every service's main). */
export async function startOptionalAdmin(
  host: string,
  port: number | undefined,
  probe: AdminProbe,
): Promise<{ port?: number; close(): Promise<void> }> {
  if (port === undefined) return { close: async () => {} };
  return startAdminServer(host, port, probe);
}
