/**
 * What the gateway knows about accounts: the registry (which accounts exist) and who owns each
 * one (which session worker, with which fencing token).
 *
 * Ownership comes from the workers' announcements on `<ns>.ownership` (so a move is seen within
 * milliseconds), and from Redis (`lease:<uin>` → worker → its gRPC address, @cqfleet/rpc
 * `ownerOf`) when nothing is cached. A refused call (the worker no longer owns the account) invalidates the entry.
 */
import { AccountRecord, type Namespace, type OwnershipChange } from '@cqfleet/contracts';
import { type Owner, ownerOf } from '@cqfleet/rpc';
import type { Logger, NatsConnection, Redis } from '@cqfleet/runtime';

export type { Owner };

const REGISTRY_REFRESH_MS = 5_000;

/** What the transports need to know of accounts: which exist (enabled). */
export type AccountLookup = Pick<AccountDirectory, 'has' | 'list'>;

export class AccountDirectory {
  private registry = new Map<number, AccountRecord>();
  /** The registry's raw content at the last load, to tell whether anything changed. */
  private signature = '';
  private readonly listeners = new Set<() => void>();
  private readonly owners = new Map<number, Owner>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    private readonly nc: NatsConnection,
    private readonly ns: Namespace,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    await this.loadRegistry();
    this.nc.subscribe(this.ns.ownershipSubject, {
      callback: (err, msg) => {
        if (err) return;
        try {
          this.apply(msg.json<OwnershipChange>());
        } catch {
          this.log.warn('malformed ownership change');
        }
      },
    });
    this.nc.subscribe(this.ns.registrySubject, {
      callback: () =>
        void this.loadRegistry().catch((err: unknown) =>
          this.log.warn({ err }, 'registry reload failed'),
        ),
    });
    this.timer = setInterval(
      () =>
        void this.loadRegistry().catch((err: unknown) =>
          this.log.warn({ err }, 'registry reload failed'),
        ),
      REGISTRY_REFRESH_MS,
    );
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Calls `listener` after every load that changed a record (added, replaced or removed). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private apply(change: OwnershipChange): void {
    const current = this.owners.get(change.uin);
    if (change.state === 'acquired') {
      if (!current || change.fence >= current.fence)
        this.owners.set(change.uin, {
          workerId: change.workerId,
          fence: change.fence,
          grpc: change.grpc,
        });
    } else if (current && current.fence === change.fence) {
      this.owners.delete(change.uin);
    }
  }

  async loadRegistry(): Promise<void> {
    const raw = await this.redis.hgetall(this.ns.accountsKey);
    const signature = JSON.stringify(Object.entries(raw).sort(([a], [b]) => Number(a) - Number(b)));
    if (signature === this.signature) return;
    this.signature = signature;
    const next = new Map<number, AccountRecord>();
    for (const json of Object.values(raw)) {
      try {
        const r = AccountRecord.safeParse(JSON.parse(json));
        if (r.success) next.set(r.data.uin, r.data);
      } catch {
        // A malformed record is skipped; the session workers skip it too.
      }
    }
    this.registry = next;
    for (const listener of this.listeners)
      try {
        listener();
      } catch (err) {
        this.log.error({ err }, 'registry change listener failed');
      }
  }

  has(uin: number): boolean {
    return this.registry.get(uin)?.enabled ?? false;
  }

  /**
   * True when the account runs in an upstream OneBot implementation (driver `onebot`): actions
   * cqfleet does not know are forwarded to it instead of being refused.
   */
  isUpstream(uin: number): boolean {
    return this.registry.get(uin)?.driver === 'onebot';
  }

  /** An enabled account's record. */
  record(uin: number): AccountRecord | undefined {
    const r = this.registry.get(uin);
    return r?.enabled ? r : undefined;
  }

  /** The enabled accounts' records. */
  records(): AccountRecord[] {
    return [...this.registry.values()].filter(r => r.enabled);
  }

  /** Enabled accounts, in ascending order. */
  list(): number[] {
    return [...this.registry.values()]
      .filter(r => r.enabled)
      .map(r => r.uin)
      .sort((a, b) => a - b);
  }

  /** The owner of an account, or undefined when no worker holds it. */
  async owner(uin: number): Promise<Owner | undefined> {
    const cached = this.owners.get(uin);
    if (cached) return cached;
    const owner = await ownerOf(this.redis, this.ns, uin);
    if (owner) this.owners.set(uin, owner);
    return owner;
  }

  /**
   * The owner of an account, waiting up to `waitMs` for one when nobody holds it right now (an
   * account being handed over has no owner for a few milliseconds).
   */
  async ownerWithin(uin: number, waitMs: number): Promise<Owner | undefined> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const owner = await this.owner(uin);
      if (owner || Date.now() >= deadline) return owner;
      await new Promise(resolve => setTimeout(resolve, 50));
    }
  }

  /** Forgets the cached owner (after a refused call), unless it has changed since. */
  invalidate(uin: number, stale: Owner): void {
    const current = this.owners.get(uin);
    if (current && current.fence === stale.fence) this.owners.delete(uin);
  }
}
