/**
 * The driver interface: how a session worker talks to the QQ side for one account. One driver
 * instance per account. The simulator driver is built in; further drivers bridge real accounts.
 *
 * Two kinds: a native driver offers the QQ side's operations (@cqfleet/qq-side, spoken by the
 * simulator) and cqfleet's handlers run the account's actions over them; a proxied driver holds
 * an upstream OneBot implementation that answers the actions itself.
 *
 * Contract:
 * - `start()` connects in the background and keeps reconnecting with back-off until `stop()`;
 *   `state` tells where it is, `onState` reports changes.
 * - Every event arrives once through `onEvent`, in order, with a `seq` that grows within an
 *   `epoch`. On (re)connect the driver resumes after `cursor()`: in a new worker (a takeover)
 *   the last event safely published, within one worker the last event it queued — so neither
 *   a takeover nor a reconnect loses or repeats anything.
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
   * `id` is stable, so a second delivery of the same event is dropped by the stream; `bytes`
   * is the length of the frame it came in (the account's backlog is bounded by it). False
   * when the account refused it (its backlog is full): the event is dropped, and nothing the
   * driver keeps about it (media notes) is written.
   */
  onOneBotEvent(event: OneBotEvent, id: string, bytes: number): boolean;
  onState(state: DriverState, detail?: string): void;
  /** Where to resume after (re)connecting. */
  cursor(): Cursor | undefined;
}

export interface OneBotUpstream {
  /** Which implementation answers (`napcat`, `lagrange`, `llonebot`, `gocq`, `cqfleet`, …). */
  readonly flavor: string;
  /**
   * Runs an action on the upstream; resolves with its `data`, fails with a OneBotError in
   * go-cqhttp's terms (the upstream's own retcodes smoothed over). `signal` is the action's
   * deadline (forward.ts): once it fires the call fails TIMEOUT and nothing of it is held
   * (OneBotDriver drops its pending entry; a late answer is ignored), before the upstream's own
   * `timeoutMs`.
   */
  action(name: string, params: unknown, signal?: AbortSignal): Promise<unknown>;
}

/** One account's connection to the QQ side: its state, its counters and its life. */
export interface Connection {
  readonly uin: number;
  readonly state: DriverState;
  readonly stats: DriverStats;
  /** A number identifying the protocol (go-cqhttp's `protocol_name`). */
  readonly protocol: number;
  start(hooks: DriverHooks): void;
  stop(): Promise<void>;
  /**
   * Drops the current connection and connects again with the usual back-off, resuming after
   * `cursor()`: a restart (`set_restart`, a changed record), counted as a disconnect.
   */
  reconnect(): void;
  /**
   * Connects again to be sent the events after `cursor()` once more (the account refused them
   * while its backlog was full). A driver that can renew its link without going offline does
   * so: the simulator's lets the calls in flight be answered, holds new ones until the new
   * connection is logged in, keeps its state `online` and counts no disconnect. Otherwise it
   * is `reconnect()`.
   */
  replay(): void;
  /** The account's own profile (from login, refreshed by `refreshSelf`). */
  self(): Promise<SimUser>;
  refreshSelf(): Promise<SimUser>;
}

/**
 * The QQ side's operations (@cqfleet/qq-side `qqOps`), as a native account's handlers call
 * them; fails with OneBotErrors (`ACCOUNT_OFFLINE` while not connected).
 */
export interface QQSidePort {
  call<K extends Exclude<OpName, 'login'>>(op: K, args: Ops[K]['args']): Promise<Ops[K]['result']>;
  self(): Promise<SimUser>;
  refreshSelf(): Promise<SimUser>;
}

/**
 * A native account's driver: cqfleet's handlers run its actions over the QQ-side port (the
 * simulator's today; a driver for another network implements `call` by mapping each op).
 */
export interface NativeDriver extends Connection, QQSidePort {
  readonly kind: 'native';
}

/**
 * A proxied account's driver: the account runs in an upstream OneBot implementation, which
 * answers its actions itself (forwarded, smoothed, renamed, with cqfleet's fallbacks).
 */
export interface ProxiedDriver extends Connection, OneBotUpstream {
  readonly kind: 'proxied';
  /** Where a media file named in the account's events can be fetched (for the fallbacks). */
  media(kind: 'image' | 'record' | 'video', name: string): Promise<Ops['get_media']['result']>;
}

/** The two kinds of account, chosen with the driver when the account's connection is made. */
export type Driver = NativeDriver | ProxiedDriver;

export interface DriverOptions {
  uin: number;
  fence: number;
  options: Record<string, unknown>;
}
