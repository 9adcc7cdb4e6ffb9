/**
 * What every connection-holding driver shares: its state and how it reports a change, and a
 * background loop that connects, serves and reconnects with back-off until `stop()`. A driver
 * supplies `serve` (one connection's life: connect, log in, call `online()`, wait until the
 * connection ends, and say how it ended) and `drop` (close the current connection, if any).
 * A `serve` that throws ends offline with the error as the reason; one that ends `fenced`
 * stops the loop for good (another worker holds the account).
 */
import { backoff, type Logger, sleep } from '@cqfleet/runtime';
import type { DriverHooks, DriverState, DriverStats } from './driver.js';

/** How one connection ended. */
export interface Ended {
  state: 'offline' | 'fenced';
  detail: string;
}

export abstract class ConnectionLoop {
  /** Counters behind `get_status.stat`, kept by the driver. */
  readonly stats: DriverStats = {
    packetReceived: 0,
    packetSent: 0,
    packetLost: 0,
    disconnectTimes: 0,
    lostTimes: 0,
  };
  protected current: DriverState = 'offline';
  protected readonly abort = new AbortController();
  private loop?: Promise<void>;

  constructor(
    readonly uin: number,
    protected readonly log: Logger,
  ) {}

  get state(): DriverState {
    return this.current;
  }

  /** Connects in the background; the loop never throws into nothing. */
  start(hooks: DriverHooks): void {
    this.loop = this.run(hooks).catch((err: unknown) =>
      this.log.error({ err, uin: this.uin }, 'driver loop failed'),
    );
  }

  /** Drops the current connection; the loop connects again with its usual back-off. */
  reconnect(): void {
    this.drop();
  }

  /** Connects again to be sent what follows the cursor: a plain reconnect unless overridden. */
  replay(): void {
    this.reconnect();
  }

  async stop(): Promise<void> {
    this.abort.abort(new Error('stopped'));
    this.drop();
    await this.loop;
    this.current = 'stopped';
  }

  protected setState(hooks: DriverHooks, state: DriverState, detail?: string): void {
    if (this.current === state) return;
    this.current = state;
    hooks.onState(state, detail);
  }

  /** Serve one connection after another, backing off between them, until stopped or fenced. */
  private async run(hooks: DriverHooks): Promise<void> {
    const signal = this.abort.signal;
    for (let attempt = 0; !signal.aborted;) {
      this.setState(hooks, 'connecting');
      let ended: Ended;
      try {
        ended = await this.serve(hooks, () => {
          attempt = 0;
          this.setState(hooks, 'online');
        });
      } catch (err) {
        ended = { state: 'offline', detail: err instanceof Error ? err.message : String(err) };
      }
      if (signal.aborted) return;
      this.setState(hooks, ended.state, ended.detail);
      if (ended.state === 'fenced') return;
      await sleep(backoff(attempt++, 200, 5_000), signal).catch(() => undefined);
    }
  }

  /**
   * One connection: connects, logs in, calls `online` once it is usable, and resolves when it
   * ends (cleaning up after itself, also when it throws). Counting disconnects is its business.
   */
  protected abstract serve(hooks: DriverHooks, online: () => void): Promise<Ended>;
  protected abstract drop(): void;
}
