/**
 * Which accounts this worker owns. Every `rebalanceEveryMs` it reads the registry and takes
 * free accounts up to its fair share (enabled accounts / live workers, rounded up); every
 * `renewEveryMs` it renews its leases and its heartbeat. A lease that cannot be renewed is
 * lost: the account is stopped at once, and also when Redis is unreachable for so long that
 * the lease may have expired (`validUntil`), because another worker may own it by then.
 */
import {
  AccountRecord,
  type Lease,
  type Namespace,
  type OwnershipChange,
  WorkerRecord,
} from '@cqfleet/contracts';
import type { Logger, NatsConnection, Redis } from '@cqfleet/runtime';
import { LeaseStore } from './lease-store.js';

export interface LeaseManagerOptions {
  workerId: string;
  grpc: string;
  leaseTtlMs: number;
  renewEveryMs: number;
  rebalanceEveryMs: number;
}

export interface OwnedAccount {
  record: AccountRecord;
  lease: Lease;
  /** Local time until which the lease is certainly ours. */
  validUntil: number;
}

export interface LeaseHooks {
  acquired(record: AccountRecord, lease: Lease): Promise<void>;
  /** `graceful`: the lease is still ours, so queued events may be drained first. */
  lost(uin: number, reason: string, graceful: boolean): Promise<void>;
}

const SAFETY_MS = 500;

export class LeaseManager {
  readonly store: LeaseStore;
  private readonly owned = new Map<number, OwnedAccount>();
  private timers: NodeJS.Timeout[] = [];
  private busy = { renew: false, rebalance: false };
  private stopped = false;
  private readonly startedAt = Date.now();

  constructor(
    private readonly redis: Redis,
    private readonly nc: NatsConnection,
    private readonly ns: Namespace,
    private readonly opts: LeaseManagerOptions,
    private readonly hooks: LeaseHooks,
    private readonly log: Logger,
  ) {
    this.store = new LeaseStore(redis, ns);
  }

  get accounts(): ReadonlyMap<number, OwnedAccount> {
    return this.owned;
  }

  /** True while this worker certainly holds the lease of `uin` (with `fence`, when given). */
  holds(uin: number, fence?: number): boolean {
    const o = this.owned.get(uin);
    if (!o || Date.now() >= o.validUntil) return false;
    return fence === undefined || fence === 0 || fence === o.lease.fence;
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
          .finally(() => (this.busy[name] = false));
      }, ms);
    this.timers = [
      every(this.opts.renewEveryMs, () => this.renewAll(), 'renew'),
      every(this.opts.rebalanceEveryMs, () => this.rebalance(), 'rebalance'),
    ];
  }

  /** Stops every account and releases every lease, so others can take them over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    for (const uin of [...this.owned.keys()]) await this.giveUp(uin, 'worker stopping');
    await this.redis.hdel(this.ns.workersKey, this.opts.workerId).catch(() => 0);
  }

  private announce(change: OwnershipChange): void {
    try {
      this.nc.publish(this.ns.ownershipSubject, JSON.stringify(change));
    } catch (err) {
      this.log.warn({ err }, 'could not announce ownership change');
    }
  }

  private async heartbeat(): Promise<void> {
    const record: WorkerRecord = {
      id: this.opts.workerId,
      grpc: this.opts.grpc,
      startedAt: this.startedAt,
      heartbeatAt: Date.now(),
    };
    await this.redis.hset(this.ns.workersKey, this.opts.workerId, JSON.stringify(record));
  }

  /** Live workers, including this one (dead ones are pruned after ten lease periods). */
  private async liveWorkers(): Promise<number> {
    const all = await this.redis.hgetall(this.ns.workersKey);
    const now = Date.now();
    let live = 0;
    for (const [id, json] of Object.entries(all)) {
      const parsed = WorkerRecord.safeParse(safeJson(json));
      if (!parsed.success) continue;
      const age = now - parsed.data.heartbeatAt;
      if (age < this.opts.leaseTtlMs) live++;
      else if (age > 10 * this.opts.leaseTtlMs) await this.redis.hdel(this.ns.workersKey, id);
    }
    return Math.max(1, live);
  }

  private async renewAll(): Promise<void> {
    await this.heartbeat().catch((err: unknown) => this.log.warn({ err }, 'heartbeat failed'));
    await Promise.all(
      [...this.owned].map(async ([uin, o]) => {
        const started = Date.now();
        let renewed: boolean;
        try {
          renewed = await this.store.renew(uin, o.lease, this.opts.leaseTtlMs);
        } catch (err) {
          if (Date.now() >= o.validUntil)
            await this.lose(uin, 'lease may have expired while Redis was unreachable');
          else this.log.warn({ err, uin }, 'lease renew failed; retrying');
          return;
        }
        if (renewed) o.validUntil = started + this.opts.leaseTtlMs - SAFETY_MS;
        else await this.lose(uin, 'lease taken by another worker');
      }),
    );
  }

  /** The lease is gone (or may be): stop at once, without draining. */
  private async lose(uin: number, reason: string): Promise<void> {
    const o = this.owned.get(uin);
    if (!o) return;
    this.owned.delete(uin);
    this.log.warn({ uin, fence: o.lease.fence, reason }, 'lost account');
    await this.hooks.lost(uin, reason, false);
  }

  /** Hands an account over while the lease is still ours: drain, release, announce. */
  private async giveUp(uin: number, reason: string): Promise<void> {
    const o = this.owned.get(uin);
    if (!o) return;
    this.owned.delete(uin);
    this.log.info({ uin, fence: o.lease.fence, reason }, 'giving up account');
    await this.hooks.lost(uin, reason, true);
    await this.store.release(uin, o.lease).catch(() => false);
    this.announce({
      uin,
      state: 'released',
      workerId: this.opts.workerId,
      fence: o.lease.fence,
      grpc: this.opts.grpc,
    });
  }

  private async rebalance(): Promise<void> {
    const raw = await this.redis.hgetall(this.ns.accountsKey);
    const enabled = new Map<number, AccountRecord>();
    for (const json of Object.values(raw)) {
      const parsed = AccountRecord.safeParse(safeJson(json));
      if (parsed.success && parsed.data.enabled) enabled.set(parsed.data.uin, parsed.data);
    }
    // Accounts removed from the registry or disabled are given up.
    for (const uin of [...this.owned.keys()])
      if (!enabled.has(uin)) await this.giveUp(uin, 'account disabled or removed');
    const share = Math.ceil(enabled.size / (await this.liveWorkers()));
    // Each worker walks the accounts in its own order so that workers do not all race for the same ones.
    const candidates = [...enabled.values()].filter(r => !this.owned.has(r.uin));
    candidates.sort(
      (a, b) => spread(a.uin, this.opts.workerId) - spread(b.uin, this.opts.workerId),
    );
    for (const record of candidates) {
      if (this.owned.size >= share || this.stopped) break;
      const started = Date.now();
      const fence = await this.store.acquire(record.uin, this.opts.workerId, this.opts.leaseTtlMs);
      if (fence === undefined) continue;
      const lease = { workerId: this.opts.workerId, fence };
      this.owned.set(record.uin, {
        record,
        lease,
        validUntil: started + this.opts.leaseTtlMs - SAFETY_MS,
      });
      this.log.info({ uin: record.uin, fence }, 'acquired account');
      try {
        await this.hooks.acquired(record, lease);
      } catch (err) {
        this.log.error({ err, uin: record.uin }, 'could not start account; releasing it');
        this.owned.delete(record.uin);
        await this.store.release(record.uin, lease).catch(() => false);
        continue;
      }
      this.announce({
        uin: record.uin,
        state: 'acquired',
        workerId: this.opts.workerId,
        fence,
        grpc: this.opts.grpc,
      });
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A cheap per-worker ordering of accounts (FNV-1a of uin and worker id). */
function spread(uin: number, workerId: string): number {
  let h = 0x811c9dc5;
  for (const ch of `${uin}/${workerId}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return h >>> 0;
}
