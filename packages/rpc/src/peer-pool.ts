/**
 * The clients a service keeps to its peers, by address, with the ones no longer used let go.
 *
 * A peer's address is a session worker's: a new port each time a worker starts (a rollout, a
 * crash, a scale-up), and the old one is never named again. A pool that only ever added
 * clients kept one (a grpc-js channel with its subchannel and timers) for every worker that
 * ever existed, for as long as the gateway or history ran. A client not asked for in `idleMs`
 * with nothing in flight is closed; a later call to its address makes a new one.
 */

export interface PoolOptions<T> {
  /** Makes the client of an address. */
  make(address: string): T;
  /** Ends a client (its channel). */
  close(peer: T): void;
  /** True while the client has calls in flight: never let go then. @default never busy */
  busy?(peer: T): boolean;
  /** How long a client may go unasked before it is let go. @default 10 min */
  idleMs?: number;
  /** The clock (tests). @default Date.now */
  now?: () => number;
}

/** Ten minutes: far past any call's deadline, so an idle client has nothing in flight. */
const DEFAULT_IDLE_MS = 10 * 60_000;

export class PeerPool<T> {
  private readonly peers = new Map<string, { peer: T; usedAt: number }>();
  private readonly idleMs: number;
  private readonly now: () => number;
  private sweptAt: number;

  constructor(private readonly options: PoolOptions<T>) {
    this.idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
    this.now = options.now ?? Date.now;
    this.sweptAt = this.now();
  }

  /** The client of `address`, made on first use; idle ones are let go now and then. */
  get(address: string): T {
    const now = this.now();
    // A sweep costs one pass over the pool: at most ten times per idle period.
    if (now - this.sweptAt >= this.idleMs / 10) this.sweep(now);
    let entry = this.peers.get(address);
    if (!entry) {
      entry = { peer: this.options.make(address), usedAt: now };
      this.peers.set(address, entry);
    }
    entry.usedAt = now;
    return entry.peer;
  }

  get size(): number {
    return this.peers.size;
  }

  /** Lets go of the client of a peer that no longer exists. */
  drop(address: string): void {
    const entry = this.peers.get(address);
    if (!entry) return;
    this.peers.delete(address);
    this.options.close(entry.peer);
  }

  closeAll(): void {
    for (const { peer } of this.peers.values()) this.options.close(peer);
    this.peers.clear();
  }

  private sweep(now: number): void {
    this.sweptAt = now;
    for (const [address, entry] of this.peers)
      if (now - entry.usedAt >= this.idleMs && !this.options.busy?.(entry.peer)) this.drop(address);
  }
}
