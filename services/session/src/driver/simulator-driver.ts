/**
 * The built-in driver: one WebSocket to the simulator per account (@cqfleet/sim-client).
 *
 * Every (re)connection resumes after `hooks.cursor()`: the last event the account took (queued
 * for publishing), or at first what the previous owner published. The account may refuse an
 * event (its backlog is full: account.ts), so the driver keeps no position of its own; the
 * account then reconnects it (`replay()`) to be sent the refused events again, a planned
 * reconnection that fails no call and does not take the account offline. Events that still
 * arrive on a connection being closed or replaced are not delivered: the next one replays them.
 *
 * The simulator replays from its per-account log, which is bounded (10,000 events and 16 MiB
 * by default): an account that refused events (or a worker that died) for longer than that
 * window resumes past a gap. That loss cannot be undone, but it is never silent: it is counted
 * (`cqfleet_session_simulator_events_lost_total`) and logged with the numbers.
 */
import { isOneBotError, OneBotError, type ErrorTag, ERRORS } from '@cqfleet/onebot';
import { counter, type Logger } from '@cqfleet/runtime';
import {
  type EventPush,
  type OpName,
  type Ops,
  SimConnection,
  SimError,
  type SimUser,
} from '@cqfleet/sim-client';
import { ConnectionLoop, type Ended } from './connection-loop.js';
import type { Cursor, DriverHooks, DriverOptions, NativeDriver } from './driver.js';

const DEFAULT_URL = 'http://127.0.0.1:5900';

const refused = counter(
  'cqfleet_session_simulator_frames_refused_total',
  'Frames from the simulator dropped: not of the protocol, or a push that could not be handled',
);

const lost = counter(
  'cqfleet_session_simulator_events_lost_total',
  'Simulator events lost to its per-account log window: a resume was replayed from past them',
);

/**
 * How long a planned reconnection (`reconnect`) waits for the calls in flight to be answered:
 * the simulator's request timeout (sim-client's 10 s), past which they have failed anyway.
 */
const PLANNED_DRAIN_MS = 10_000;

/** One logged-in connection: how it ends, and whether the simulator kicked it (fenced). */
interface Link {
  conn: SimConnection;
  closed: Promise<string>;
  kicked(): boolean;
}

/** A planned reconnection under way: the connection it replaces, and the calls waiting. */
interface Planned {
  conn: SimConnection;
  /** The calls in flight were answered (or waited for long enough): it is being closed. */
  closing: boolean;
  done: Promise<void>;
  release(): void;
}

/** A login refused because another worker logged in with a newer fence. */
function fencedBy(err: unknown): Ended | undefined {
  return err instanceof SimError && err.code === 'FENCED'
    ? { state: 'fenced', detail: err.message }
    : undefined;
}

/** Maps a simulator failure to the OneBot error the client sees. */
export function toOneBotError(err: unknown): OneBotError {
  if (isOneBotError(err)) return err;
  if (err instanceof SimError) {
    if (err.code === 'DISCONNECTED' || err.code === 'NOT_LOGGED_IN')
      return new OneBotError('ACCOUNT_OFFLINE', `账号不在线: ${err.message}`);
    if (err.code === 'TIMEOUT') return new OneBotError('TIMEOUT', err.message);
    if (Object.hasOwn(ERRORS, err.code)) return new OneBotError(err.code as ErrorTag, err.message);
    return new OneBotError('UNKNOWN_ERROR', err.message);
  }
  return new OneBotError('UNKNOWN_ERROR', err instanceof Error ? err.message : String(err));
}

export class SimulatorDriver extends ConnectionLoop implements NativeDriver {
  readonly kind = 'native';
  readonly protocol = 6;
  private readonly url: string;
  private readonly fence: number;
  private conn?: SimConnection;
  private profile?: SimUser;
  /** The simulator's epoch, learnt at login: the events' cursors carry it. */
  private epoch = '';
  private planned?: Planned;
  /** Calls waiting for their answer (a planned reconnection lets them finish). */
  private requests = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(opts: DriverOptions, log: Logger) {
    super(opts.uin, log);
    this.fence = opts.fence;
    this.url = typeof opts.options.url === 'string' ? opts.options.url : DEFAULT_URL;
  }

  protected drop(): void {
    this.conn?.close();
  }

  /**
   * A planned reconnection (the account wants its refused events replayed), made without
   * going offline: the connection's events stop being delivered at once; calls made from now on
   * wait for the new connection instead of failing; the requests in flight get their answers
   * (up to PLANNED_DRAIN_MS); then the connection is closed and a new one logs in, resuming
   * after the cursor. The state stays `online` throughout (the account is not lost, only its
   * link renewed, so nothing is counted as a disconnect): only a failed new login takes it
   * offline, counted, with the usual back-off. Without a live connection, a plain drop.
   */
  override replay(): void {
    if (this.planned) return; // the one under way resumes after the cursor too
    const conn = this.conn;
    if (!conn || this.current !== 'online') return this.reconnect();
    let release!: () => void;
    const done = new Promise<void>(resolve => (release = resolve));
    const planned: Planned = { conn, closing: false, done, release };
    this.planned = planned;
    void this.requestsIdle(PLANNED_DRAIN_MS).then(() => {
      planned.closing = true;
      conn.close();
    });
  }

  /** One connection after another, while the ends are planned: serve until one is not. */
  protected async serve(hooks: DriverHooks, online: () => void): Promise<Ended> {
    let link: Link;
    try {
      link = await this.connect(hooks);
    } catch (err) {
      const fenced = fencedBy(err);
      if (fenced) return fenced;
      throw err;
    }
    online();
    try {
      for (;;) {
        const why = await link.closed;
        this.conn = undefined;
        if (this.abort.signal.aborted) return { state: 'offline', detail: why };
        const planned = this.planned?.conn === link.conn && this.planned.closing;
        if (!planned || link.kicked()) {
          this.stats.disconnectTimes++;
          if (link.kicked()) return { state: 'fenced', detail: why };
          this.stats.lostTimes++;
          return { state: 'offline', detail: why };
        }
        try {
          link = await this.connect(hooks);
        } catch (err) {
          // The account was online and could not be logged in again: it is lost after all.
          this.stats.disconnectTimes++;
          const fenced = fencedBy(err);
          if (fenced) return fenced;
          this.stats.lostTimes++;
          throw err;
        }
        this.endPlanned();
      }
    } finally {
      this.endPlanned();
    }
  }

  /** Connects and logs in (resuming after the cursor); the connection is `this.conn` after. */
  private async connect(hooks: DriverHooks): Promise<Link> {
    let conn: SimConnection | undefined;
    try {
      conn = await SimConnection.open(this.url);
      conn.onBadFrame = (why, err) => {
        refused.inc();
        this.log.warn({ why, err }, 'simulator frame dropped');
      };
      const closed = new Promise<string>(
        resolve => (conn!.onClose = (code, reason) => resolve(`${code} ${reason}`)),
      );
      let fencedOut = false;
      // Replayed events can arrive before the login reply is processed; they wait until
      // the epoch they belong to is known.
      let early: EventPush[] | undefined = [];
      const resume: Cursor | undefined = hooks.cursor();
      // Set at login when events after `resume` are to be replayed: the first must follow it.
      let replay: { after: Cursor; lastSeq: number } | undefined;
      const deliver = (push: EventPush) => {
        if (replay && push.seq > replay.after.seq + 1)
          this.lost(replay.after, push.seq, replay.lastSeq);
        replay = undefined;
        hooks.onEvent(push.event, { epoch: this.epoch, seq: push.seq });
      };
      conn.onPush = push => {
        this.stats.packetReceived++;
        if (push.push === 'kicked') fencedOut = true;
        else if (!conn!.isOpen || this.planned?.conn === conn)
          return; // being closed or replaced: the next connection replays it
        else if (early) early.push(push);
        else deliver(push);
      };
      const login = await this.send(conn, 'login', {
        uin: this.uin,
        fence: this.fence,
        resume_after: resume?.seq ?? 0,
        epoch: resume?.epoch ?? '',
      });
      this.epoch = login.epoch;
      // Seqs compare within one epoch only (another is a restarted simulator: all it has is
      // replayed). The log always keeps its newest event, so with `last_seq` past the resume
      // point the first event to arrive is replayed, and starts the replay.
      if (resume && resume.epoch === login.epoch && login.last_seq > resume.seq)
        replay = { after: resume, lastSeq: login.last_seq };
      for (const push of early) deliver(push);
      early = undefined;
      this.profile = login.self;
      this.conn = conn;
      // Stopped while logging in: `drop` found no connection to close.
      if (this.abort.signal.aborted) conn.close();
      return { conn, closed, kicked: () => fencedOut };
    } catch (err) {
      conn?.close();
      this.conn = undefined;
      throw err;
    }
  }

  /** Calls waiting for a planned reconnection go on (on the new connection, or fail offline). */
  private endPlanned(): void {
    this.planned?.release();
    this.planned = undefined;
  }

  /** Resolves once no call is waiting for its answer, or after `ms`. */
  private requestsIdle(ms: number): Promise<void> {
    if (this.requests === 0) return Promise.resolve();
    return new Promise(resolve => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.idleWaiters.push(done);
    });
  }

  /** The replay after `resume` began at `first`: the events between are gone from the log. */
  private lost(resume: Cursor, first: number, lastSeq: number): void {
    const count = first - resume.seq - 1;
    lost.inc(count);
    this.log.warn(
      { lost: count, resumeAfter: resume.seq, firstReplayed: first, lastSeq, epoch: resume.epoch },
      'simulator events lost: the resume point is past its event log',
    );
  }

  private async send<K extends OpName>(
    conn: SimConnection,
    op: K,
    args: Ops[K]['args'],
  ): Promise<Ops[K]['result']> {
    this.stats.packetSent++;
    try {
      return await conn.request(op, args);
    } catch (err) {
      if (err instanceof SimError && err.code === 'TIMEOUT') this.stats.packetLost++;
      throw err;
    }
  }

  async self(): Promise<SimUser> {
    return this.profile ?? this.refreshSelf();
  }

  async refreshSelf(): Promise<SimUser> {
    this.profile = await this.call('get_user', { user_id: this.uin });
    return this.profile;
  }

  async call<K extends Exclude<OpName, 'login'>>(
    op: K,
    args: Ops[K]['args'],
  ): Promise<Ops[K]['result']> {
    // A planned reconnection: the call waits for the new connection rather than fail. Bounded
    // by the reconnection's own bounds (PLANNED_DRAIN_MS, the socket's open, the login's
    // request timeout); a failed one leaves the account offline, and the call is refused.
    if (this.planned) await this.planned.done;
    const conn = this.conn;
    if (!conn || this.current !== 'online') throw new OneBotError('ACCOUNT_OFFLINE');
    this.requests++;
    try {
      return await this.send(conn, op, args);
    } catch (err) {
      throw toOneBotError(err);
    } finally {
      if (--this.requests === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }
}
