/**
 * The entry point every service shares: a logger and process metrics under the service's
 * name, the service started under `runService` (signals, grace period), its optional admin
 * server (/healthz, /readyz, /metrics), the ready line, and the stop order — the admin server
 * closes first, so readiness fails before the service stops taking work.
 */
import { type AdminProbe, startOptionalAdmin } from './admin-http.js';
import { runService } from './lifecycle.js';
import { announceReady, createLogger, type Logger, type LogLevel } from './logger.js';
import { enableProcessMetrics } from './metrics.js';

export interface ServiceEntry<S extends { stop(): Promise<void> }> {
  /** The logger's and the process metrics' service label. */
  name: string;
  logLevel: LogLevel;
  start(log: Logger): Promise<S>;
  admin: { host: string; port: number | undefined; probe(service: S, log: Logger): AdminProbe };
  /** What the ready line announces besides the admin port. */
  ready(service: S): Record<string, unknown>;
}

export function serviceMain<S extends { stop(): Promise<void> }>(entry: ServiceEntry<S>): void {
  const log = createLogger(entry.name, entry.logLevel);
  enableProcessMetrics(entry.name);
  runService(log, async () => {
    const service = await entry.start(log);
    const admin = await startOptionalAdmin(
      entry.admin.host,
      entry.admin.port,
      entry.admin.probe(service, log),
    );
    announceReady(log, { ...entry.ready(service), admin: admin.port });
    return async () => {
      await admin.close();
      await service.stop();
    };
  });
}
