/**
 * Work in flight, for graceful stops: `track` runs a piece of work and counts it; `idle(ms)`
 * resolves once nothing is running, or after `ms`, whichever comes first.
 */
export class InFlight {
  private running = 0;
  private readonly waiters: Array<() => void> = [];

  get count(): number {
    return this.running;
  }

  async track<T>(work: () => Promise<T>): Promise<T> {
    this.running++;
    try {
      return await work();
    } finally {
      if (--this.running === 0) for (const wake of this.waiters.splice(0)) wake();
    }
  }

  idle(ms: number): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise(resolve => {
      const timer = setTimeout(resolve, ms);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
