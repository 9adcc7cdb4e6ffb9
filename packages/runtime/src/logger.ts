/**
 * Structured logs: one JSON object per line on stdout, with the service name on every line.
 * Stack traces go to logs only, never into responses.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function createLogger(service: string, level: LogLevel = 'info'): Logger {
  return pino({
    level,
    base: { service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: label => ({ level: label }) },
  });
}

/**
 * The line a supervisor waits for: `{"msg":"ready", ...endpoints}`. Every service logs it
 * once, when it can do its work.
 */
export function announceReady(log: Logger, endpoints: Record<string, unknown>): void {
  log.info({ ready: true, ...endpoints }, 'ready');
}
