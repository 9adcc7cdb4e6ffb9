/**
 * `reload_event_filter` on every gateway replica: the replica that answers the operator's call
 * reloads first (so its answer says whether the file could be read), then announces the
 * reload on `<ns>.filters.reload` (contracts `FilterReload`); every other replica re-reads the
 * same filter with its own settings. A replica that cannot read it logs why and keeps the
 * filter it has.
 */
import type { FilterReload, Namespace } from '@cqfleet/contracts';
import type { Logger, NatsConnection } from '@cqfleet/runtime';
import type { Subscription } from '@nats-io/transport-node';
import type { FilterRegistry } from './filter-registry.js';

export class FilterSync {
  private readonly sub: Subscription;

  constructor(
    private readonly nc: NatsConnection,
    private readonly ns: Namespace,
    private readonly replicaId: string,
    filters: FilterRegistry,
    private readonly log: Logger,
  ) {
    this.sub = nc.subscribe(ns.filterReloadSubject, {
      callback: (err, msg) => {
        if (err) return;
        let reload: Partial<FilterReload>;
        try {
          reload = msg.json<Partial<FilterReload>>();
        } catch {
          return log.warn('malformed filter reload');
        }
        if (typeof reload.file !== 'string' || reload.replica === replicaId) return;
        const file = reload.file;
        filters
          .reload(file)
          .then(() => log.info({ file, from: reload.replica }, 'event filter reloaded'))
          .catch((e: unknown) =>
            log.warn({ file, err: (e as Error).message }, 'announced filter reload failed here'),
          );
      },
    });
  }

  /** Tells the other replicas to reload `file`. */
  announce(file: string): void {
    const reload: FilterReload = { file, replica: this.replicaId };
    try {
      this.nc.publish(this.ns.filterReloadSubject, JSON.stringify(reload));
    } catch (err) {
      this.log.warn({ err, file }, 'filter reload not announced to the other replicas');
    }
  }

  close(): void {
    this.sub.unsubscribe();
  }
}
