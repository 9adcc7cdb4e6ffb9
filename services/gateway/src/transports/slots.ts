/**
 * At most `max` of something held per account at once on this replica (requests in flight,
 * open connections): `enter` takes one and answers the function that gives it back (safe to
 * call more than once), or undefined when the account already holds `max`.
 */
export class Slots {
  private readonly held = new Map<number, number>();

  constructor(readonly max: number) {}

  enter(selfId: number): (() => void) | undefined {
    const n = this.held.get(selfId) ?? 0;
    if (n >= this.max) return undefined;
    this.held.set(selfId, n + 1);
    let given = false;
    return () => {
      if (given) return;
      given = true;
      const left = (this.held.get(selfId) ?? 1) - 1;
      if (left > 0) this.held.set(selfId, left);
      else this.held.delete(selfId);
    };
  }
}
