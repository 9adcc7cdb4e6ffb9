/**
 * Prometheus metrics: one registry per process, served at `/metrics` on the service's admin
 * port. `enableProcessMetrics(service)` (in each service's main) adds Node's own figures (CPU,
 * memory, event-loop lag, GC) and labels everything with the service's name.
 *
 * Metrics are looked up by name before they are created, so code that runs several times in
 * one process (tests embedding services) shares one metric instead of failing to register it.
 * Every name starts with `cqfleet_`; the list is in the README ("Observability").
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const metricsRegistry = new Registry();
let processMetrics = false;

export function enableProcessMetrics(service: string): void {
  if (processMetrics) return;
  processMetrics = true;
  metricsRegistry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: metricsRegistry, prefix: 'cqfleet_' });
}

export function counter<L extends string = never>(
  name: string,
  help: string,
  labelNames: readonly L[] = [],
): Counter<L> {
  return (
    (metricsRegistry.getSingleMetric(name) as Counter<L> | undefined) ??
    new Counter({ name, help, labelNames, registers: [metricsRegistry] })
  );
}

export function gauge<L extends string = never>(
  name: string,
  help: string,
  labelNames: readonly L[] = [],
  collect?: (this: Gauge<L>) => void | Promise<void>,
): Gauge<L> {
  return (
    (metricsRegistry.getSingleMetric(name) as Gauge<L> | undefined) ??
    new Gauge({
      name,
      help,
      labelNames,
      registers: [metricsRegistry],
      ...(collect ? { collect } : {}),
    })
  );
}

/** Latency buckets in seconds, from 0.5 ms to 10 s. */
const SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function histogram<L extends string = never>(
  name: string,
  help: string,
  labelNames: readonly L[] = [],
): Histogram<L> {
  return (
    (metricsRegistry.getSingleMetric(name) as Histogram<L> | undefined) ??
    new Histogram({ name, help, labelNames, buckets: SECONDS, registers: [metricsRegistry] })
  );
}

/** Seconds since `start` (a `performance.now()` value). */
export const secondsSince = (start: number) => (performance.now() - start) / 1000;
