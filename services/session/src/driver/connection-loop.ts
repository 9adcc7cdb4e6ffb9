/**
 * What every connection-holding driver shares: its state and how it reports a change, and a
 * background loop that connects, serves and reconnects until `stop()`. A driver supplies
 * `run` (the loop: connect, serve until the connection ends, back off, repeat while
 * `abort.signal` is not aborted) and `drop` (close the current connection, if any).
 */
import type { Logger } from '@cqfleet/runtime';
import type { DriverHooks, DriverState, DriverStats } from './driver.js';

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

  protected abstract run(hooks: DriverHooks): Promise<void>;
  protected abstract drop(): void;
}
