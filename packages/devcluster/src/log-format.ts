/** Service log lines (pino JSON) as one readable line each, for `npm start`. */

const LEVEL_WIDTH = 5;

export function formatLogLine(service: string, line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `[${service}] ${line}`;
  }
  const { level, msg, time, service: _s, pid: _p, ...rest } = entry;
  const clock = typeof time === 'string' ? time.slice(11, 23) : '';
  const extras = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${clock} ${String(level ?? '').padEnd(LEVEL_WIDTH)} [${service}] ${String(msg ?? '')}${extras ? ' ' + extras : ''}`;
}
