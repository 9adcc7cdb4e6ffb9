/**
 * The driver interface: how a session worker talks to the QQ side for one account. One driver
 * instance per account. The simulator driver is built in; further drivers bridge real accounts.
 *
 * The QQ-side model — operations, data and events — is the simulator protocol's
 * (@cqfleet/sim-client `Ops`, models and `SimEvent`), which follows what QQ provides; a driver
 * for another upstream implements `call` by mapping each operation onto it.
 *
 * Contract:
 * - `start()` connects in the background and keeps reconnecting with back-off until `stop()`;
 *   `state` tells where it is, `onState` reports changes.
 * - Every event arrives once through `onEvent`, in order, with a `seq` that grows within an
 *   `epoch`. On (re)connect the driver resumes after `cursor()`, the last event the worker has
 *   safely published, so a takeover by another worker loses nothing.
 * - Calls fail with `OneBotError`s (`ACCOUNT_OFFLINE` while not connected).
 * - `fence` is the lease's fencing token: the QQ side refuses a connection with an older one,
 *   so a worker that lost its lease cannot act for the account any more.
 */
import type { OneBotEvent } from '@cqfleet/onebot';
import type { OpName, Ops, SimEvent, SimUser } from '@cqfleet/sim-client';

export type DriverState = 'connecting' | 'online' | 'offline' | 'fenced' | 'stopped';

export interface Cursor {
  epoch: string;
  seq: number;
}

/** Counters behind `get_status.stat`. */
export interface DriverStats {
  packetReceived: number;
  packetSent: number;
  packetLost: number;
  disconnectTimes: number;
  lostTimes: number;
}

export interface DriverHooks {
  onEvent(event: SimEvent, cursor: Cursor): void;
  /**
   * An event that is OneBot already (an upstream implementation's), normalised by the driver;
   * `id` is stable, so a second delivery of the same event is dropped by the stream.
   */
  onOneBotEvent(event: OneBotEvent, id: string): void;
  onState(state: DriverState, detail?: string): void;
  /** Where to resume after (re)connecting. */
  cursor(): Cursor | undefined;
}

export interface Driver {
  readonly uin: number;
  readonly state: DriverState;
  readonly stats: DriverStats;
  /** A number identifying the protocol (go-cqhttp's `protocol_name`). */
  readonly protocol: number;
  start(hooks: DriverHooks): void;
  stop(): Promise<void>;
  /** Drops the current connection; the driver connects again with its usual back-off. */
  reconnect(): void;

  /** The account's own profile (from login, refreshed by `refreshSelf`). */
  self(): Promise<SimUser>;
  refreshSelf(): Promise<SimUser>;
  /**
   * Present when the far side speaks OneBot itself (an upstream implementation): actions are
   * forwarded to it instead of being run by the session's handlers.
   */
  readonly upstream?: OneBotUpstream;
  /** Runs a QQ-side operation (see @cqfleet/sim-client Ops); fails with OneBotErrors. */
  call<K extends Exclude<OpName, 'login'>>(op: K, args: Ops[K]['args']): Promise<Ops[K]['result']>;
}

export interface OneBotUpstream {
  /** Which implementation answers (`napcat`, `lagrange`, `llonebot`, `gocq`, `cqfleet`, …). */
  readonly flavor: string;
  /**
   * Runs an action on the upstream; resolves with its `data`, fails with a OneBotError in
   * go-cqhttp's terms (the upstream's own retcodes smoothed over).
   */
  action(name: string, params: unknown): Promise<unknown>;
}

export interface DriverOptions {
  uin: number;
  fence: number;
  options: Record<string, unknown>;
}
