/**
 * Amounts held per key with a cap on each key's total, in this process: `Budget` counts any
 * amount (the bytes of a token's bodies being read at the gateway, of the media an account's
 * upstream sends hold at a session worker), `Slots` one at a time (an account's requests in
 * flight or open connections at the gateway, its calls running at history).
 */

export class Budget<K> {
  private readonly held = new Map<K, number>();

  constructor(readonly max: number) {}

  /** Counts `n` more of `key`'s; false (nothing counted) when that would pass `max`. */
  take(key: K, n: number): boolean {
    const held = this.held.get(key) ?? 0;
    if (held + n > this.max) return false;
    this.held.set(key, held + n);
    return true;
  }

  /** What `key` holds now. */
  heldBy(key: K): number {
    return this.held.get(key) ?? 0;
  }

  give(key: K, n: number): void {
    const left = (this.held.get(key) ?? 0) - n;
    if (left > 0) this.held.set(key, left);
    else this.held.delete(key);
  }
}

/**
 * At most `max` of something held per account at once: `enter` takes one and answers the
 * function that gives it back (safe to call more than once), or undefined when the account
 * already holds `max`.
 */
export class Slots {
  private readonly budget: Budget<number>;

  constructor(readonly max: number) {
    this.budget = new Budget(max);
  }

  enter(selfId: number): (() => void) | undefined {
    if (!this.budget.take(selfId, 1)) return undefined;
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.budget.give(selfId, 1);
    };
  }
}
