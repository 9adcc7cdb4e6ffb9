/**
 * The renewing side of a lease group (lease-group.ts): when each held lease is renewed, and
 * what its renewal's answer means.
 *
 * - **Spread over the period.** Each lease has its own turn, at a random point of the period
 *   for a lease just taken, then once per `renewEveryMs`; turns are checked every
 *   `renewEveryMs / RENEW_TICKS`. A worker renewing 1,000 leases at once held its event loop
 *   and Redis for milliseconds every period, which events waited behind.
 * - **Together per turn.** The leases due at a turn go to Redis in one script call (at most
 *   `RENEW_BATCH`), not one each: 1,000 leases were 500 round trips a second.
 * - **Answers.** A renewed (or reclaimed) lease is valid for `leaseTtlMs - SAFETY_MS` from when
 *   the call was made; a lost one, or one whose validity ran out while Redis could not be
 *   reached, is let go at once (`lose`), side by side with the others of its call. A lease
 *   given up or taken again while the call was out is left alone.
 */
import type { Lease } from '@cqfleet/contracts';
import type { LeaseStore, RenewResult } from './leases.js';
import type { Logger } from './logger.js';

/** How much earlier than Redis's expiry a lease stops counting as ours (clock drift, pauses). */
export const SAFETY_MS = 500;
/** Turns per renewal period at which due leases are renewed. */
export const RENEW_TICKS = 8;
/** Most leases renewed in one script call (Redis runs nothing else meanwhile). */
const RENEW_BATCH = 200;

/** Until when a lease renewed (or taken) by a call made at `started` is certainly ours. */
export function validUntil(started: number, leaseTtlMs: number): number {
  return started + leaseTtlMs - SAFETY_MS;
}

/** A lease a member holds, and what it protects. */
export interface Held<T> {
  item: T;
  lease: Lease;
  /** Where the lease's fencing tokens are counted (to keep the count when reclaiming). */
  fenceKey: string;
  /** Local time until which the lease is certainly ours. */
  validUntil: number;
}

/** What the renewals need of their group. */
export interface RenewalsHost<T> {
  readonly held: ReadonlyMap<string, Held<T>>;
  /** The lease is gone (or may be): its thing is released at once. */
  lose(key: string, reason: string): Promise<void>;
  /** The lease was missing in Redis and is ours again. */
  reclaimed(key: string, held: Held<T>): void;
}

export class LeaseRenewals<T> {
  /** When each held lease is renewed next (local time). */
  private readonly turns = new Map<string, number>();

  constructor(
    private readonly store: LeaseStore,
    private readonly opts: { renewEveryMs: number; leaseTtlMs: number },
    private readonly log: Logger,
    private readonly host: RenewalsHost<T>,
  ) {}

  /**
   * A lease just taken at `at`: its first turn comes at a random point of the period, so that
   * leases taken together are not renewed together ever after.
   */
  taken(key: string, at: number): void {
    this.turns.set(key, at + this.opts.renewEveryMs * (0.25 + 0.75 * Math.random()));
  }

  /** A lease let go. */
  forget(key: string): void {
    this.turns.delete(key);
  }

  /** Renews the leases whose turn has come. */
  async renewDue(now: number): Promise<void> {
    const due: Array<[string, Held<T>]> = [];
    for (const entry of this.host.held) if ((this.turns.get(entry[0]) ?? 0) <= now) due.push(entry);
    const calls: Promise<void>[] = [];
    for (let i = 0; i < due.length; i += RENEW_BATCH)
      calls.push(this.renew(due.slice(i, i + RENEW_BATCH)));
    await Promise.all(calls);
  }

  /** Renews `due` in one round trip, then deals with each lease as its answer says. */
  private async renew(due: Array<[string, Held<T>]>): Promise<void> {
    const started = Date.now();
    // Tried again one period later, whatever happens (as a failure is).
    for (const [key] of due) this.turns.set(key, started + this.opts.renewEveryMs);
    const current = ([key, h]: [string, Held<T>]) => this.host.held.get(key) === h;
    let answers: RenewResult[];
    try {
      answers = await this.store.renewMany(
        due.map(([key, h]) => ({
          leaseKey: key,
          lease: h.lease,
          // Reclaiming a missing lease is safe only while it is certainly ours (leases.ts).
          reclaim: started < h.validUntil ? { fenceKey: h.fenceKey } : undefined,
        })),
        this.opts.leaseTtlMs,
      );
    } catch (err) {
      this.log.warn({ err, leases: due.length }, 'lease renew failed; retrying');
      const expired = due.filter(entry => current(entry) && Date.now() >= entry[1].validUntil);
      // Side by side: letting go of one (stopping an account) can take a while.
      await Promise.all(
        expired.map(([key]) =>
          this.host.lose(key, 'lease may have expired while Redis was unreachable'),
        ),
      );
      return;
    }
    const lost: string[] = [];
    for (const [i, entry] of due.entries()) {
      if (!current(entry)) continue; // given up or taken again meanwhile
      const [key, h] = entry;
      if (answers[i] === 'lost') {
        lost.push(key);
        continue;
      }
      h.validUntil = validUntil(started, this.opts.leaseTtlMs);
      if (answers[i] === 'reclaimed') this.host.reclaimed(key, h);
    }
    await Promise.all(lost.map(key => this.host.lose(key, 'lease taken by another member')));
  }
}
