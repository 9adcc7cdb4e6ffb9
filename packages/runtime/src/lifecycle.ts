/**
 * The shape of every service's main: start, announce readiness, and on SIGTERM / SIGINT stop
 * within a grace period. A crash is logged with its stack and exits non-zero.
 */
import type { Logger } from './logger.js';

export type Stop = () => Promise<void>;

export interface RunOptions {
  /** Time allowed for a graceful stop before the process exits anyway. @default 10 s */
  graceMs?: number;
}

export function runService(
  log: Logger,
  start: () => Promise<Stop>,
  options: RunOptions = {},
): void {
  const graceMs = options.graceMs ?? 10_000;
  let stopping = false;
  // Settles once the service has started (or failed to): a stop signal during start-up waits
  // for it, so what was started is stopped too.
  const started = start();

  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    const timer = setTimeout(() => {
      log.error({ graceMs }, 'graceful stop timed out');
      process.exit(1);
    }, graceMs);
    timer.unref();
    started
      .then(stop => stop())
      .then(() => {
        log.info('stopped');
        process.exit(0);
      })
      .catch((err: unknown) => {
        log.error({ err }, 'error while stopping');
        process.exit(1);
      });
  };

  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('unhandledRejection', (err: unknown) => {
    log.error({ err }, 'unhandled rejection');
  });

  started.catch((err: unknown) => {
    log.fatal({ err }, 'failed to start');
    process.exit(1);
  });
}
