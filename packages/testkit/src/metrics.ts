/** Prometheus metrics of a service under test, read from its admin port. */
import type { ServiceProcess } from '@cqfleet/devcluster';

/** The service's `/metrics` text (its ready line names the admin port). */
export async function scrapeMetrics(service: ServiceProcess): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${String(service.ready.admin)}/metrics`);
  if (!res.ok) throw new Error(`${service.name} /metrics: ${res.status}`);
  return res.text();
}

/**
 * The value of the samples of `name` whose labels include `labels`, summed when several match;
 * throws when none does (a metric that was never touched has no sample).
 */
export function metricValue(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number {
  let sum = 0;
  let found = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    found = true;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  if (!found) throw new Error(`no sample ${name} ${JSON.stringify(labels)}`);
  return sum;
}
