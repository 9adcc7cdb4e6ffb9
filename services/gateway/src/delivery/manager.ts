/**
 * Who delivers what (ARCHITECTURE "Delivery"): every (outbound endpoint, account) pair is
 * delivered by exactly one gateway replica — the one holding its lease (a @cqfleet/runtime
 * LeaseGroup over the live replicas). When a replica dies its leases expire and another
 * replica takes the deliveries over, continuing from the durable consumer where the old one
 * stopped, so nothing is lost up to the replay window and receivers de-duplicate by event id.
 */
import type { Namespace } from '@cqfleet/contracts';
import {
  type LeaseCandidate,
  LeaseGroup,
  type Logger,
  type NatsConnection,
  type Redis,
} from '@cqfleet/runtime';
import type { AccountDirectory } from '../accounts/directory.js';
import { outboundGrant } from '../auth/tokens.js';
import { type Config, settingsFor } from '../config.js';
import type { FilterRegistry } from '../events/filter-registry.js';
import type { Heartbeats } from '../events/heartbeat.js';
import type { ActionRouter } from '../routing/router.js';
import { EventFeed } from './event-feed.js';
import { HttpPostSink } from './http-post.js';
import { type Outbound, outboundDeliveries } from './outbound.js';
import { ReverseWsDelivery } from './ws-reverse.js';

export interface DeliveryDeps {
  nc: NatsConnection;
  redis: Redis;
  ns: Namespace;
  config: Config;
  directory: AccountDirectory;
  filters: FilterRegistry;
  heartbeats: Heartbeats;
  router: ActionRouter;
  replicaId: string;
  log: Logger;
}

interface Active {
  outbound: Outbound;
  feed?: EventFeed;
  reverse?: ReverseWsDelivery;
  stop(): Promise<void>;
}

export class DeliveryManager {
  private readonly group: LeaseGroup<Outbound>;
  private readonly active = new Map<string, Active>();
  private offChange: () => void = () => undefined;

  constructor(private readonly deps: DeliveryDeps) {
    const { ns, config, redis, log } = deps;
    this.group = new LeaseGroup<Outbound>(
      redis,
      {
        name: 'deliveries',
        memberId: deps.replicaId,
        membersKey: ns.gatewaysKey,
        memberRecord: () => ({ deliveries: this.active.size }),
        leaseTtlMs: config.leaseTtlMs,
        renewEveryMs: config.renewEveryMs,
        rebalanceEveryMs: config.rebalanceEveryMs,
        candidates: async () => this.candidates(),
        acquired: c => this.begin(c.key, c.item),
        released: key => this.end(key),
      },
      log,
    );
  }

  private candidates(): Array<LeaseCandidate<Outbound>> {
    const { ns, config, directory } = this.deps;
    return outboundDeliveries(config.file, directory.records()).map(o => ({
      key: ns.deliveryLease(o.endpoint, o.selfId),
      fenceKey: ns.deliveryFence(o.endpoint, o.selfId),
      item: o,
    }));
  }

  private async begin(key: string, o: Outbound): Promise<void> {
    const { nc, ns, config, filters, heartbeats, router, log } = this.deps;
    const settings = settingsFor(config, o.def);
    await filters.configure(settings.filter);
    const dlog = log.child({ delivery: o.kind, endpoint: o.endpoint, selfId: o.selfId });
    // The endpoint's peer is the tenant's: it calls no more than the tenant's tokens allow.
    const grant = outboundGrant(
      o.selfId,
      `${o.kind} ${o.endpoint}`,
      o.def.actions,
      config.file.tokens,
    );
    const feedFor = (retryMs: number, maxRetryMs: number) =>
      new EventFeed(
        nc,
        ns,
        {
          kind: o.kind,
          endpoint: o.endpoint,
          selfId: o.selfId,
          replayWindowMs: config.replayWindowMs,
          ackWaitMs: config.leaseTtlMs,
          retryMs,
          maxRetryMs,
        },
        dlog,
      );
    if (o.kind === 'http_post') {
      const sink = new HttpPostSink(o.def, o.selfId, {
        settings,
        filters,
        caller: router,
        grant,
        log: dlog,
      });
      const feed = feedFor(o.def.retry_interval_ms, o.def.max_retry_interval_ms);
      await feed.start(sink.deliver);
      const stopBeats = heartbeats.subscribe(o.selfId, sink.heartbeat);
      this.active.set(key, {
        outbound: o,
        feed,
        stop: async () => (stopBeats(), await feed.stop()),
      });
    } else {
      const reverse = new ReverseWsDelivery(o.def, o.selfId, {
        settings,
        filters,
        router,
        grant,
        maxBuffered: config.wsMaxBufferedBytes,
        maxInFlight: config.wsMaxInFlight,
        log: dlog,
      });
      reverse.start();
      const feed = reverse.hasEvents ? feedFor(500, 5_000) : undefined;
      await feed?.start(reverse.deliver);
      const stopBeats = reverse.hasEvents
        ? heartbeats.subscribe(o.selfId, reverse.heartbeat)
        : () => {};
      this.active.set(key, {
        outbound: o,
        feed,
        reverse,
        stop: async () => {
          stopBeats();
          await feed?.stop();
          await reverse.stop();
        },
      });
    }
    dlog.info('delivering');
  }

  private async end(key: string): Promise<void> {
    const a = this.active.get(key);
    this.active.delete(key);
    await a?.stop();
  }

  /** What this replica delivers now (for the admin endpoint and tests). */
  deliveries(): Array<{
    kind: string;
    endpoint: string;
    selfId: number;
    delivered: number;
    connects?: number;
  }> {
    return [...this.active.values()].map(a => ({
      kind: a.outbound.kind,
      endpoint: a.outbound.endpoint,
      selfId: a.outbound.selfId,
      delivered: a.feed?.delivered ?? 0,
      ...(a.reverse ? { connects: a.reverse.connections.reduce((n, c) => n + c.connects, 0) } : {}),
    }));
  }

  start(): Promise<void> {
    // A changed record (an endpoint added, replaced or removed) is delivered at once.
    this.offChange = this.deps.directory.onChange(() => this.group.nudge());
    return this.group.start();
  }

  stop(): Promise<void> {
    this.offChange();
    return this.group.stop();
  }
}
