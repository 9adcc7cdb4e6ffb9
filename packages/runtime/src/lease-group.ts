/**
 * A group of peers sharing a set of things by lease: session workers share accounts, gateway
 * replicas share (account, endpoint) deliveries.
 *
 * Every `rebalanceEveryMs` (and at once after `nudge()`, e.g. when another member released
 * something) a member reads the candidates, hands over what it holds beyond its fair share
 * (candidates / live members, rounded up) so that a member that just joined gets its part, and
 * takes free ones up to its share; every `renewEveryMs` it renews each of its leases and writes
 * its heartbeat into `membersKey`, the renewals spread over the period and those due together
 * sent together (lease-renewals.ts).
 * A lease that cannot be renewed is lost: its thing is released at once (`graceful: false`),
 * and also when Redis is unreachable for so long that the lease may have expired
 * (`validUntil`), because another member may hold it by then. Things that stop being
 * candidates, and everything at `stop()`, are handed over gracefully. A held
 * thing whose item changed (its record was replaced) keeps its lease: the item is replaced and
 * `changed` tells the member, on the rebalance that sees it.
 *
 * Redis losing data (restarted empty, or failed over before the last writes reached the
 * replica) must not give a thing two holders. So after its Redis connection comes back (every
 * `ready` but the first) a member acquires nothing, and gives nothing up for not being a
 * candidate, for one lease period (`quietUntil`): by then every lease taken before the outage
 * has either been renewed by its holder — a holder whose lease is missing while still valid on
 * its clock takes it back (`reclaim`, leases.ts) — or certainly expired on its holder's clock.
 * Fencing tokens come from the Redis server's clock, so they keep growing across such a loss.
 */
import type { Lease } from '@cqfleet/contracts';
import type { Redis } from 'ioredis';
import { sameJson } from './canonical-json.js';
import { LeaseMembers, type LeaseMembersOptions } from './lease-members.js';
import { type Held, LeaseRenewals, RENEW_TICKS, validUntil } from './lease-renewals.js';
import { LeaseStore } from './leases.js';
import { counter, gauge } from './metrics.js';
import type { Logger } from './logger.js';

export type { Held } from './lease-renewals.js';

export interface LeaseCandidate<T> {
  /** The lease key (unique per thing). */
  key: string;
  /** Counter the fencing tokens of this thing come from. */
  fenceKey: string;
  item: T;
}

/** `membersKey`, `memberId`, `memberRecord` and `leaseTtlMs`: lease-members.ts. */
export interface LeaseGroupOptions<T> extends LeaseMembersOptions {
  /** What is shared, for metrics (`accounts`, `deliveries`). */
  name: string;
  renewEveryMs: number;
  rebalanceEveryMs: number;
  candidates(): Promise<Array<LeaseCandidate<T>>>;
  acquired(candidate: LeaseCandidate<T>, lease: Lease): Promise<void>;
  /** `graceful`: the lease is still ours (and released after this), so work may be drained. */
  released(key: string, held: Held<T>, reason: string, graceful: boolean): Promise<void>;
  /** After a graceful hand-over, once the lease is free for others to take. */
  handedOver?(key: string, held: Held<T>): void;
  /**
   * A held thing's item is not the same any more (compared as JSON with sorted keys): `held`
   * already carries the new item. The lease stays; a failure is logged, not retried.
   */
  changed?(key: string, held: Held<T>, previous: T): Promise<void>;
}

const leaseChanges = counter(
  'cqfleet_lease_changes_total',
  'Leases acquired, handed over (graceful), lost, and reclaimed after Redis lost them, by lease group',
  ['group', 'change'],
);
const leasesHeld = gauge('cqfleet_leases_held', 'Leases this process holds', ['group']);

export class LeaseGroup<T> {
  readonly store: LeaseStore;
  private readonly members: LeaseMembers;
  private readonly held = new Map<string, Held<T>>();
  private readonly renewals: LeaseRenewals<T>;
  private heartbeatAt = 0;
  private timers: NodeJS.Timeout[] = [];
  private nudged?: NodeJS.Timeout;
  private nudgedWhileBusy = false;
  /** Things being handed over (draining). */
  private readonly leaving = new Set<string>();
  private readonly busy = { renew: false, rebalance: false };
  private stopped = false;
  /** Until then nothing is acquired or dropped as no longer a candidate (Redis came back). */
  private quietUntil = 0;
  /** When Redis last came back (0: never went away). */
  private backAt = 0;
  private connectedBefore: boolean;
  private readonly onReady = () => {
    if (this.connectedBefore) {
      this.backAt = Date.now();
      this.quietUntil = this.backAt + this.opts.leaseTtlMs;
      this.log.warn(
        { group: this.opts.name, quietMs: this.opts.leaseTtlMs },
        'redis is back; acquiring nothing for one lease period',
      );
      // Tell the others at once (heartbeats queued while Redis was away say nothing of it).
      if (!this.stopped)
        this.heartbeat().catch((err: unknown) => this.log.warn({ err }, 'heartbeat failed'));
    }
    this.connectedBefore = true;
  };

  constructor(
    private readonly redis: Redis,
    private readonly opts: LeaseGroupOptions<T>,
    private readonly log: Logger,
  ) {
    this.store = new LeaseStore(redis);
    this.members = new LeaseMembers(redis, opts);
    this.renewals = new LeaseRenewals(this.store, opts, log, {
      held: this.held,
      lose: (key, reason) => this.lose(key, reason),
      reclaimed: (key, h) => {
        this.count('reclaimed');
        this.log.warn({ key, fence: h.lease.fence }, 'lease was missing in redis; reclaimed');
      },
    });
    this.connectedBefore = redis.status === 'ready';
    redis.on('ready', this.onReady);
  }

  get holding(): ReadonlyMap<string, Held<T>> {
    return this.held;
  }

  /** True while this member certainly holds `key` (with `fence`, when given and not 0). */
  holds(key: string, fence?: number): boolean {
    const h = this.held.get(key);
    if (!h || Date.now() >= h.validUntil) return false;
    return fence === undefined || fence === 0 || fence === h.lease.fence;
  }

  async start(): Promise<void> {
    await this.heartbeat();
    await this.rebalance();
    const every = (ms: number, fn: () => Promise<void>, name: 'renew' | 'rebalance') =>
      setInterval(() => {
        if (this.busy[name] || this.stopped) return;
        this.busy[name] = true;
        fn()
          .catch((err: unknown) => this.log.warn({ err, loop: name }, 'lease loop error'))
          .finally(() => (name === 'rebalance' ? this.rebalanced() : (this.busy[name] = false)));
      }, ms);
    this.timers = [
      every(this.opts.renewEveryMs / RENEW_TICKS, () => this.renewDue(), 'renew'),
      every(this.opts.rebalanceEveryMs, () => this.rebalance(), 'rebalance'),
    ];
  }

  private count(change: 'acquired' | 'handed_over' | 'lost' | 'reclaimed'): void {
    leaseChanges.inc({ group: this.opts.name, change });
    if (change !== 'reclaimed')
      leasesHeld.inc({ group: this.opts.name }, change === 'acquired' ? 1 : -1);
  }

  /** Rebalances soon (debounced), instead of at the next tick; again after a running one. */
  nudge(): void {
    if (this.stopped || this.nudged) return;
    this.nudged = setTimeout(() => {
      this.nudged = undefined;
      if (this.stopped) return;
      if (this.busy.rebalance) {
        this.nudgedWhileBusy = true;
        return;
      }
      this.busy.rebalance = true;
      this.rebalance()
        .catch((err: unknown) => this.log.warn({ err, loop: 'rebalance' }, 'lease loop error'))
        .finally(() => this.rebalanced());
    }, 50);
  }

  /** After any rebalance: runs the one a nudge asked for meanwhile. */
  private rebalanced(): void {
    this.busy.rebalance = false;
    if (!this.nudgedWhileBusy) return;
    this.nudgedWhileBusy = false;
    this.nudge();
  }

  /** This member's record for the others (lease-members.ts). */
  private heartbeat(): Promise<void> {
    return this.members.heartbeat(this.quietUntil);
  }

  /** Hands everything over and leaves the group. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.redis.off('ready', this.onReady);
    for (const t of this.timers) clearInterval(t);
    clearTimeout(this.nudged);
    // Leave first: the others' fair share grows now, so they take what is handed over below
    // as soon as each release is announced.
    await this.members.leave();
    for (const key of [...this.held.keys()]) await this.giveUp(key, 'stopping');
  }

  /** The heartbeat once per period, and the leases whose turn has come. */
  private async renewDue(): Promise<void> {
    const now = Date.now();
    if (now >= this.heartbeatAt + this.opts.renewEveryMs) {
      this.heartbeatAt = now;
      await this.heartbeat().catch((err: unknown) => this.log.warn({ err }, 'heartbeat failed'));
    }
    await this.renewals.renewDue(now);
  }

  /** The lease is gone (or may be): release at once, without draining. */
  private async lose(key: string, reason: string): Promise<void> {
    const h = this.held.get(key);
    if (!h) return;
    this.held.delete(key);
    this.renewals.forget(key);
    this.count('lost');
    this.log.warn({ key, fence: h.lease.fence, reason }, 'lost lease');
    await this.opts.released(key, h, reason, false);
  }

  /**
   * Hands a thing over while the lease is still ours: drain (the lease still counts as held,
   * and is renewed, meanwhile), then release the lease.
   */
  private async giveUp(key: string, reason: string): Promise<void> {
    const h = this.held.get(key);
    if (!h || this.leaving.has(key)) return;
    this.leaving.add(key);
    try {
      await this.opts.released(key, h, reason, true);
    } finally {
      this.held.delete(key);
      this.renewals.forget(key);
      this.leaving.delete(key);
      this.count('handed_over');
      if (await this.store.release(key, h.lease).catch(() => false)) this.opts.handedOver?.(key, h);
    }
  }

  private async rebalance(): Promise<void> {
    const candidates = await this.opts.candidates();
    for (const c of candidates) await this.update(c);
    // Redis just came back, maybe without the records or leases it had: wait (see above).
    if (Date.now() < this.quietUntil) return;
    const current = new Set(candidates.map(c => c.key));
    for (const key of [...this.held.keys()])
      if (!current.has(key)) await this.giveUp(key, 'no longer a candidate');
    const share = Math.ceil(candidates.length / (await this.members.live()));
    // Each member walks the candidates in its own order so that members do not all race for
    // the same ones; over its share it hands over those last in that order.
    const order = (key: string) => spread(key, this.opts.memberId);
    if (this.held.size > share) {
      const excess = [...this.held.keys()].sort((a, b) => order(b) - order(a));
      for (const key of excess.slice(0, this.held.size - share)) {
        if (this.stopped) return;
        await this.giveUp(key, 'rebalancing');
      }
      return;
    }
    const free = candidates.filter(c => !this.held.has(c.key));
    free.sort((a, b) => order(a.key) - order(b.key));
    for (const candidate of free) {
      // A rebalance that began before Redis went away may only now be going on.
      if (this.held.size >= share || this.stopped || Date.now() < this.quietUntil) break;
      const started = Date.now();
      const fence = await this.store.acquire(
        candidate.key,
        candidate.fenceKey,
        this.opts.memberId,
        this.opts.leaseTtlMs,
      );
      if (fence === undefined) continue;
      const lease = { workerId: this.opts.memberId, fence };
      if (this.backAt >= started) {
        // Redis came back while asked: the lease may come from a Redis that lost its holder's.
        await this.store.release(candidate.key, lease).catch(() => false);
        break;
      }
      this.count('acquired');
      this.held.set(candidate.key, {
        item: candidate.item,
        lease,
        fenceKey: candidate.fenceKey,
        validUntil: validUntil(started, this.opts.leaseTtlMs),
      });
      this.renewals.taken(candidate.key, started);
      try {
        await this.opts.acquired(candidate, lease);
      } catch (err) {
        this.log.error(
          { err, key: candidate.key },
          'could not start what the lease protects; releasing it',
        );
        this.held.delete(candidate.key);
        this.renewals.forget(candidate.key);
        this.count('lost');
        await this.store.release(candidate.key, lease).catch(() => false);
      }
    }
  }

  /** Replaces the item of a held thing whose record changed, and says so. */
  private async update(candidate: LeaseCandidate<T>): Promise<void> {
    const h = this.held.get(candidate.key);
    if (!h || this.leaving.has(candidate.key) || h.item === candidate.item) return;
    if (sameJson(h.item, candidate.item)) {
      h.item = candidate.item; // the same again, from now on compared at once
      return;
    }
    const previous = h.item;
    h.item = candidate.item;
    try {
      await this.opts.changed?.(candidate.key, h, previous);
    } catch (err) {
      this.log.error({ err, key: candidate.key }, 'could not apply a changed record');
    }
  }
}

/** A cheap per-member ordering of candidates (FNV-1a of key and member id). */
function spread(key: string, memberId: string): number {
  let h = 0x811c9dc5;
  for (const ch of `${key}/${memberId}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return h >>> 0;
}
