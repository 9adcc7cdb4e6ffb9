/**
 * Which accounts this worker owns: the enabled accounts of the registry, shared among the live
 * workers by lease (a @cqfleet/runtime LeaseGroup). Owner changes are announced on
 * `<ns>.ownership` so gateways route to the new owner at once.
 */
import {
  AccountRecord,
  type Lease,
  type Namespace,
  type OwnershipChange,
} from '@cqfleet/contracts';
import {
  AccountRegistry,
  type LeaseCandidate,
  LeaseGroup,
  type LeaseStore,
  type Logger,
  type NatsConnection,
  type Redis,
} from '@cqfleet/runtime';
import type { Subscription } from '@nats-io/transport-node';

export interface LeaseManagerOptions {
  workerId: string;
  grpc: string;
  leaseTtlMs: number;
  renewEveryMs: number;
  rebalanceEveryMs: number;
  /** Accounts declared at start (registry.ts): they seed the registry again if Redis lost it. */
  declared?: AccountRecord[];
}

export interface LeaseHooks {
  acquired(record: AccountRecord, lease: Lease): Promise<void>;
  /** The record of an account this worker owns was replaced (the lease stays). */
  changed(record: AccountRecord, previous: AccountRecord): Promise<void>;
  /** `graceful`: the lease is still ours, so queued events may be drained first. */
  lost(uin: number, reason: string, graceful: boolean): Promise<void>;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export class LeaseManager {
  private readonly group: LeaseGroup<AccountRecord>;
  private released?: Subscription;
  private registry?: Subscription;
  /**
   * Last round's records by their stored text: a record that did not change is not parsed
   * again, and stays the same object, which the lease group compares first (every worker reads
   * the whole registry every `rebalanceEveryMs`: 1,000 records parsed and compared each second
   * were most of an idle worker's time).
   */
  private parsed = new Map<string, LeaseCandidate<AccountRecord> | null>();

  constructor(
    private readonly redis: Redis,
    private readonly nc: NatsConnection,
    private readonly ns: Namespace,
    private readonly opts: LeaseManagerOptions,
    hooks: LeaseHooks,
    private readonly log: Logger,
  ) {
    this.group = new LeaseGroup<AccountRecord>(
      redis,
      {
        name: 'accounts',
        memberId: opts.workerId,
        membersKey: ns.workersKey,
        memberRecord: () => ({ grpc: opts.grpc }),
        leaseTtlMs: opts.leaseTtlMs,
        renewEveryMs: opts.renewEveryMs,
        rebalanceEveryMs: opts.rebalanceEveryMs,
        candidates: () => this.candidates(),
        acquired: async (c, lease) => {
          this.log.info({ uin: c.item.uin, fence: lease.fence }, 'acquired account');
          await hooks.acquired(c.item, lease);
          this.announce(c.item.uin, 'acquired', lease);
        },
        released: async (_key, held, reason, graceful) => {
          await hooks.lost(held.item.uin, reason, graceful);
        },
        changed: (_key, held, previous) => hooks.changed(held.item, previous),
        // Announced once the lease is free, so a worker nudged by it can take it at once.
        handedOver: (_key, held) => this.announce(held.item.uin, 'released', held.lease),
      },
      log,
    );
  }

  get store(): LeaseStore {
    return this.group.store;
  }

  /** True while this worker certainly holds the lease of `uin` (with `fence`, when given). */
  holds(uin: number, fence?: number): boolean {
    return this.group.holds(this.ns.leaseKey(uin), fence);
  }

  async start(): Promise<void> {
    // An account another worker hands over is taken at once, not at the next rebalance tick.
    // So is an account added, enabled, disabled or removed through the registry.
    this.registry = this.nc.subscribe(this.ns.registrySubject, {
      callback: () => this.group.nudge(),
    });
    this.released = this.nc.subscribe(this.ns.ownershipSubject, {
      callback: (err, msg) => {
        if (err) return;
        const change = safeJson(msg.string()) as Partial<OwnershipChange> | undefined;
        if (change?.state === 'released' && change.workerId !== this.opts.workerId)
          this.group.nudge();
      },
    });
    await this.group.start();
  }

  /** Stops every account and releases every lease, so others can take them over at once. */
  async stop(): Promise<void> {
    this.released?.unsubscribe();
    this.registry?.unsubscribe();
    await this.group.stop();
  }

  private async candidates(): Promise<Array<LeaseCandidate<AccountRecord>>> {
    const declared = this.opts.declared ?? [];
    if (declared.length > 0) {
      const added = await new AccountRegistry(this.redis, this.nc, this.ns).seedIfLost(declared);
      if (added.length > 0)
        this.log.warn(
          { accounts: added.length },
          'redis lost the registry; declared accounts seeded again',
        );
    }
    const raw = await this.redis.hgetall(this.ns.accountsKey);
    const out: Array<LeaseCandidate<AccountRecord>> = [];
    const parsed = new Map<string, LeaseCandidate<AccountRecord> | null>();
    for (const json of Object.values(raw)) {
      let candidate = this.parsed.get(json);
      if (candidate === undefined) {
        const record = AccountRecord.safeParse(safeJson(json));
        candidate =
          record.success && record.data.enabled
            ? {
                key: this.ns.leaseKey(record.data.uin),
                fenceKey: this.ns.fenceKey(record.data.uin),
                item: record.data,
              }
            : null;
      }
      parsed.set(json, candidate);
      if (candidate) out.push(candidate);
    }
    this.parsed = parsed;
    return out;
  }

  private announce(uin: number, state: OwnershipChange['state'], lease: Lease): void {
    const change: OwnershipChange = {
      uin,
      state,
      workerId: this.opts.workerId,
      fence: lease.fence,
      grpc: this.opts.grpc,
    };
    try {
      this.nc.publish(this.ns.ownershipSubject, JSON.stringify(change));
    } catch (err) {
      this.log.warn({ err }, 'could not announce ownership change');
    }
  }
}
