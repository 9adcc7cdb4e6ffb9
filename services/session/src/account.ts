/**
 * One owned account: its driver, its event pipeline to JetStream, and the counters behind
 * `get_status`. Created when the worker acquires the account's lease, stopped when it loses it.
 * When its record's driver or driver options change, the driver is replaced (`reconfigure`):
 * the lease, the pipeline and its cursor stay.
 */
import { driverEventId, type Lease, type AccountRecord } from '@cqfleet/contracts';
import { type OneBotEvent, OneBotError } from '@cqfleet/onebot';
import {
  canonicalJson,
  counter,
  InFlight,
  type LeaseStore,
  type Logger,
  type StreamPublisher,
} from '@cqfleet/runtime';
import type { SimMember } from '@cqfleet/sim-client';
import {
  createDriver,
  type Cursor,
  type Driver,
  type DriverHooks,
  type DriverState,
  type QQSidePort,
} from './driver/index.js';
import { DEFAULT_MAX_IN_FLIGHT_PER_ACCOUNT } from './config.js';
import { fallbackPort } from './upstream/fallback-port.js';
import type { UpstreamContext } from './upstream/onebot-driver.js';
import { EventPipeline, type StoredIds } from './events/event-pipeline.js';
import { normalize } from './events/normalize.js';
import type { IncomingOptions } from './segments/incoming.js';

export interface AccountDeps extends UpstreamContext {
  incoming: IncomingOptions;
  /** True while this worker certainly holds the account's lease with this fence. */
  holds(uin: number, fence: number): boolean;
  /** Event publishes of the whole worker (one ack inbox, writes coalesced per loop turn). */
  publisher: StreamPublisher;
  /** The event ids of a stored stream message (a publish found to be a duplicate). */
  storedIds: StoredIds;
  leases: LeaseStore;
  log: Logger;
  /** Every state the driver reports (the worker's account-status board). */
  onState?(state: DriverState, detail?: string): void;
  /** The simulator's events are refused past this many waiting: SIMULATOR_BACKLOG. */
  simulatorBacklog?: number;
  /**
   * Calls (actions, history's reads) the account may have unfinished on this worker
   * (SESSION_MAX_IN_FLIGHT_PER_ACCOUNT); its default when absent.
   */
  maxInFlight?: number;
}

/** Where a call of an account comes from: a gateway's action, or history's QQ-side read. */
export type CallKind = 'action' | 'read';

export interface MessageStats {
  messageReceived: number;
  messageSent: number;
  lastMessageTime: number;
}

/**
 * How often a busy account's cursor is written (a fenced script call). A new owner resumes
 * from it and JetStream drops what it publishes again, so a cursor a second old only costs a
 * second of re-published duplicates after a crash; a graceful stop writes the last one. At
 * 200 ms an account with a steady trickle wrote it every other event (0.49 writes per event
 * at 1,000 events/s over 100 accounts; 0.09 now).
 */
const CURSOR_WRITE_EVERY_MS = 1_000;
const SELF_MEMBER_TTL_MS = 60_000;
/** How long a driver change waits for the actions running on the old connection. */
const SWITCH_DRAIN_MS = 5_000;
/**
 * The most an upstream's events may wait to be published, per account: an upstream cannot be
 * paused or asked again (its events are pushed), so past this the stream is far behind and
 * what it sends is dropped and counted rather than held. A busy bot's bursts stay far below.
 */
export const UPSTREAM_BACKLOG = { events: 10_000, bytes: 64 * 1024 * 1024 };

/**
 * The most events an account may have waiting to be published before the simulator's are
 * refused (`AccountDeps.simulatorBacklog` overrides it). Unlike an upstream the simulator can be
 * asked again: a refused event is not dropped; once the backlog is published the driver
 * reconnects and the simulator replays from the last event taken. As many as the simulator's
 * log keeps per account by count (10,000 by default), so that a worker that dies with a full
 * backlog can be resumed from its published cursor — but only while its events average under
 * ~1.6 KB of JSON: the log is also bounded to 16 MiB, and keeps fewer when they are larger.
 * Events past the log's window (larger events, or refused for longer than the world takes to
 * send that many) are lost to the replay: the driver counts them
 * (`cqfleet_session_simulator_events_lost_total`) and logs the gap.
 */
export const SIMULATOR_BACKLOG = 10_000;

const simulatorPaused = counter(
  'cqfleet_session_simulator_backlog_pauses_total',
  'Times an account stopped taking the simulator’s events with SIMULATOR_BACKLOG waiting to be published (replayed once they are)',
);

const callsRefused = counter(
  'cqfleet_session_calls_refused_total',
  'Calls refused at once (RATE_LIMIT_QUEUE_FULL) because their account already had SESSION_MAX_IN_FLIGHT_PER_ACCOUNT unfinished on this worker, by kind (action, read)',
  ['kind'],
);

const upstreamDropped = counter(
  'cqfleet_session_upstream_events_dropped_total',
  'Upstream events dropped because the account already had UPSTREAM_BACKLOG waiting to be published',
);

/** What of a record the session's connection depends on (endpoints are the gateway's). */
const connectionOf = (r: AccountRecord) => canonicalJson({ driver: r.driver, options: r.options });

export class AccountRuntime {
  readonly uin: number;
  readonly lease: Lease;
  readonly stats: MessageStats = { messageReceived: 0, messageSent: 0, lastMessageTime: 0 };
  /** Actions executed for the account since the worker took it (the console's counter). */
  actionsExecuted = 0;
  private readonly pipeline: EventPipeline<Cursor>;
  private cursor?: Cursor;
  /** The last driver event queued (refused ones are not): a reconnection resumes after it. */
  private taken?: Cursor;
  /** Driver events are refused until the backlog is published (`refuse`). */
  private refusing = false;
  private stopping = false;
  private cursorDirty = false;
  private cursorTimer?: NodeJS.Timeout;
  private readonly selfMembers = new Map<number, { member: SimMember; at: number }>();
  private readonly log: Logger;
  private readonly stateWaiters = new Set<() => void>();
  private readonly actions = new InFlight();
  /** Calls admitted and not yet ended (`admit`). */
  private calls = 0;
  private upstreamDrops = 0;
  private current: Driver;
  private connection: string;
  /** A driver change in progress (actions wait for it). */
  private switching?: Promise<void>;
  private fallback?: { driver: Driver; port: QQSidePort };

  constructor(
    record: AccountRecord,
    lease: Lease,
    private readonly deps: AccountDeps,
  ) {
    this.uin = record.uin;
    this.lease = lease;
    this.log = deps.log.child({ uin: record.uin, fence: lease.fence });
    this.current = createDriver(record, lease.fence, this.log, deps);
    this.connection = connectionOf(record);
    this.pipeline = new EventPipeline<Cursor>(
      deps.publisher,
      deps.ns,
      this.uin,
      this.log,
      c => this.advance(c),
      { value: lease.fence, holds: () => deps.holds(this.uin, lease.fence) },
      deps.storedIds,
    );
  }

  /** The account's driver now (replaced when its record's driver options change). */
  get driver(): Driver {
    return this.current;
  }

  /**
   * The QQ side's operations as handlers call them: a native account's driver; for a proxied
   * account, what cqfleet answers itself for it (upstream/fallback-port.ts).
   */
  get qq(): QQSidePort {
    const d = this.current;
    if (d.kind === 'native') return d;
    if (this.fallback?.driver !== d) this.fallback = { driver: d, port: fallbackPort(d) };
    return this.fallback.port;
  }

  async start(): Promise<void> {
    const saved = await this.deps.redis.get(this.deps.ns.cursorKey(this.uin));
    this.cursor = parseCursor(saved);
    this.current.start(this.hooks);
  }

  /**
   * The account's record was replaced. A change of driver or driver options reconnects the
   * account with the new ones, after the actions running on the old connection finish; any
   * other change (endpoints, which the gateway delivers) changes nothing here.
   */
  async reconfigure(record: AccountRecord): Promise<void> {
    const connection = connectionOf(record);
    if (connection === this.connection) return;
    this.connection = connection;
    const switching = (async () => {
      this.log.info({ driver: record.driver }, 'account record changed: reconnecting');
      await this.actions.idle(SWITCH_DRAIN_MS);
      await this.current.stop();
      this.selfMembers.clear();
      this.current = createDriver(record, this.lease.fence, this.log, this.deps);
      this.current.start(this.hooks);
    })();
    this.switching = switching;
    try {
      await switching;
    } finally {
      if (this.switching === switching) this.switching = undefined;
    }
  }

  /** Waits (up to `ms`) for a driver change in progress, so that a call meets the new driver. */
  async settled(ms: number): Promise<void> {
    if (this.switching)
      await Promise.race([this.switching, new Promise(r => setTimeout(r, ms).unref())]);
  }

  private readonly hooks: DriverHooks = {
    // Past what this worker published (a new owner's start), what it took is queued already.
    cursor: () => this.taken ?? this.cursor,
    onEvent: (event, cursor) => {
      if (
        this.refusing ||
        this.pipeline.pending >= (this.deps.simulatorBacklog ?? SIMULATOR_BACKLOG)
      )
        return this.refuse();
      this.taken = cursor;
      const ob = normalize(this.uin, event, this.deps.incoming);
      if (ob.post_type === 'message') {
        this.stats.messageReceived++;
        this.stats.lastMessageTime = ob.time;
      }
      this.pipeline.enqueue({
        id: driverEventId(this.uin, cursor.epoch, cursor.seq),
        event: ob,
        position: cursor,
      });
    },
    onOneBotEvent: (event, id, bytes) => {
      if (!this.pipeline.offer({ id, event, bytes }, UPSTREAM_BACKLOG)) {
        upstreamDropped.inc();
        if (this.upstreamDrops++ % 100 === 0)
          this.log.warn({ dropped: this.upstreamDrops }, 'upstream events dropped: backlog full');
        return false;
      }
      if (event.post_type === 'message') {
        this.stats.messageReceived++;
        this.stats.lastMessageTime = event.time;
      }
      return true;
    },
    onState: (state, detail) => {
      this.log.info({ state, detail }, 'account state');
      this.deps.onState?.(state, detail);
      for (const wake of this.stateWaiters) wake();
    },
  };

  /**
   * The backlog is full: driver events are refused (not queued, so `taken` stays before them)
   * until everything queued is published; then the driver reconnects, resuming after `taken`,
   * and the simulator sends them again. The connection stays up meanwhile (actions go on); what
   * still arrives on it is refused, and once `replay()` is called nothing more is delivered
   * from it. That reconnection is planned, not a loss: the driver lets the account's requests
   * in flight be answered first and holds new ones until it is logged in again, and the
   * account stays `online` (not counted as a disconnect), so no action sees ACCOUNT_OFFLINE.
   */
  private refuse(): void {
    if (this.refusing) return;
    this.refusing = true;
    simulatorPaused.inc();
    this.log.warn(
      { waiting: this.pipeline.pending, after: this.taken },
      'event backlog full: the simulator’s events are refused until it is published',
    );
    void this.pipeline.drained().then(() => {
      if (this.stopping) return;
      this.log.info({ after: this.taken }, 'event backlog published: reconnecting for the rest');
      // The old connection delivers nothing from here on, so nothing is taken past a gap.
      try {
        this.current.replay();
        this.refusing = false;
      } catch (err) {
        this.log.error({ err }, 'reconnect after a full backlog failed; events stay refused');
      }
    });
  }

  /** Events waiting to be published (queued or in flight). */
  get eventsWaiting(): number {
    return this.pipeline.pending;
  }

  /** Publishes an event the worker produced itself (message_sent); resolves once stored. */
  publish(id: string, event: OneBotEvent): Promise<void> {
    return this.pipeline.push({ id, event });
  }

  /** Events stored in the stream since the worker took the account. */
  get eventsPublished(): number {
    return this.pipeline.published;
  }

  get online(): boolean {
    return this.driver.state === 'online';
  }

  /**
   * True when the account is online, waiting up to `ms` while its connection is being set up
   * (a worker that just took the account over is still logging in).
   */
  async onlineWithin(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    await this.settled(ms);
    while (this.driver.state === 'connecting' && Date.now() < deadline) {
      let wake!: () => void;
      const changed = new Promise<void>(resolve => (wake = resolve));
      this.stateWaiters.add(wake);
      const timer = setTimeout(wake, deadline - Date.now());
      await changed;
      clearTimeout(timer);
      this.stateWaiters.delete(wake);
    }
    return this.online;
  }

  /** The account's own member record in a group (cached: it is needed for every group send). */
  async selfMember(groupId: number): Promise<SimMember> {
    const hit = this.selfMembers.get(groupId);
    if (hit && Date.now() - hit.at < SELF_MEMBER_TTL_MS) return hit.member;
    const member = await this.qq.call('get_member', { group_id: groupId, user_id: this.uin });
    this.selfMembers.set(groupId, { member, at: Date.now() });
    return member;
  }

  /**
   * Admits one more call of the account (an action or a history read), from its arrival until
   * its work has ended — which may be after its caller was answered TIMEOUT: what the worker
   * still holds for it counts. Answers the function that ends it (call it once); throws
   * RATE_LIMIT_QUEUE_FULL, counted, when the account already has `maxInFlight` unfinished, so a
   * tenant cannot pile up work (and the memory it holds) on the worker every other tenant on it
   * shares.
   */
  admit(kind: CallKind): () => void {
    const max = this.deps.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT_PER_ACCOUNT;
    if (this.calls >= max) {
      callsRefused.inc({ kind });
      throw new OneBotError(
        'RATE_LIMIT_QUEUE_FULL',
        `账号 ${this.uin} 在会话节点上未完成的调用已达上限 (${max}), 请稍后再试`,
      );
    }
    this.calls++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.calls--;
    };
  }

  /** Runs an action for this account; a graceful stop waits for the actions running. */
  track<T>(action: () => Promise<T>): Promise<T> {
    return this.actions.track(action);
  }

  /** Runs one of the account's actions (`track`), counted once it is done. */
  async runAction<T>(action: () => Promise<T>): Promise<T> {
    try {
      return await this.track(action);
    } finally {
      this.actionsExecuted++;
    }
  }

  /**
   * Stops the driver. With `drain`, first lets the actions running finish (up to `drainMs`;
   * the worker no longer hands this account new ones), then waits (up to `drainMs`) for queued
   * events to be stored and writes the final cursor, so the next owner starts exactly where
   * this one stopped.
   */
  async stop(drain: boolean, drainMs = 5_000): Promise<void> {
    this.stopping = true;
    await this.settled(drainMs);
    if (drain) await this.actions.idle(drainMs);
    await this.driver.stop();
    if (drain) {
      await Promise.race([this.pipeline.drained(), new Promise(r => setTimeout(r, drainMs))]);
      await this.flushCursor();
    }
    this.pipeline.stop();
    clearTimeout(this.cursorTimer);
  }

  private advance(cursor: Cursor): void {
    this.cursor = cursor;
    this.cursorDirty = true;
    this.cursorTimer ??= setTimeout(() => {
      this.cursorTimer = undefined;
      this.flushCursor().catch((err: unknown) => this.log.warn({ err }, 'cursor write failed'));
    }, CURSOR_WRITE_EVERY_MS);
  }

  /** Fenced write: a worker that lost the lease cannot move the cursor. */
  private async flushCursor(): Promise<void> {
    if (!this.cursorDirty || !this.cursor) return;
    this.cursorDirty = false;
    const ok = await this.deps.leases.setIfHolder(
      this.deps.ns.leaseKey(this.uin),
      this.lease,
      this.deps.ns.cursorKey(this.uin),
      JSON.stringify(this.cursor),
    );
    if (!ok) this.log.warn('cursor not written: lease no longer ours');
  }
}

function parseCursor(value: string | null): Cursor | undefined {
  if (!value) return undefined;
  try {
    const c = JSON.parse(value) as Partial<Cursor>;
    if (typeof c.epoch === 'string' && typeof c.seq === 'number')
      return { epoch: c.epoch, seq: c.seq };
  } catch {
    // A corrupt cursor means starting over; JetStream drops what was already published.
  }
  return undefined;
}
