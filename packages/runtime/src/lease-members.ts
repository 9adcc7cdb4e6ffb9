/**
 * The members of a lease group (lease-group.ts), as the others see them: a Redis hash of member
 * id → JSON record with `heartbeatAt` (and whatever the member adds). A member writes its record
 * once per renewal period; one whose heartbeat is older than a lease period is not live, and
 * one silent for ten periods is pruned. A member in its quiet period (its Redis just came back)
 * says until when, so that the others do not count it when they work out their fair share:
 * they would hand it things it would not take for seconds.
 */
import type { Redis } from 'ioredis';

export interface LeaseMembersOptions {
  /** Redis hash of members. */
  membersKey: string;
  memberId: string;
  /** What the member adds to its record (e.g. the accounts it can hold). */
  memberRecord: () => Record<string, unknown>;
  leaseTtlMs: number;
}

export class LeaseMembers {
  private readonly startedAt = Date.now();

  constructor(
    private readonly redis: Redis,
    private readonly opts: LeaseMembersOptions,
  ) {}

  /** Writes this member's record; `quietUntil` when it takes nothing until then. */
  async heartbeat(quietUntil: number): Promise<void> {
    const record = {
      ...this.opts.memberRecord(),
      id: this.opts.memberId,
      startedAt: this.startedAt,
      heartbeatAt: Date.now(),
      ...(quietUntil > Date.now() ? { quietUntil } : {}),
    };
    await this.redis.hset(this.opts.membersKey, this.opts.memberId, JSON.stringify(record));
  }

  /**
   * Live members that take things now, this one included (at least 1): a member in its quiet
   * period is not counted. Dead ones are pruned after ten lease periods.
   */
  async live(): Promise<number> {
    const all = await this.redis.hgetall(this.opts.membersKey);
    const now = Date.now();
    let live = 0;
    for (const [id, json] of Object.entries(all)) {
      let at: number;
      let quiet = false;
      try {
        const r = JSON.parse(json) as { heartbeatAt?: unknown; quietUntil?: unknown };
        at = Number(r.heartbeatAt);
        quiet = id !== this.opts.memberId && Number(r.quietUntil) > now;
      } catch {
        continue;
      }
      const age = now - at;
      if (age < this.opts.leaseTtlMs && !quiet) live++;
      else if (age > 10 * this.opts.leaseTtlMs) await this.redis.hdel(this.opts.membersKey, id);
    }
    return Math.max(1, live);
  }

  /** Leaves the group: the others' fair share grows at once. Never rejects. */
  async leave(): Promise<void> {
    await this.redis.hdel(this.opts.membersKey, this.opts.memberId).catch(() => 0);
  }
}
