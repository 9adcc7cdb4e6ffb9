/**
 * The built-in driver: one WebSocket to the simulator per account (@cqfleet/sim-client).
 *
 * Every (re)connection resumes after `hooks.cursor()`: the last event the account took (queued
 * for publishing), or at first what the previous owner published. The account may refuse an
 * event (its backlog is full: account.ts), so the driver keeps no position of its own; the
 * account then reconnects it (`reconnect()`) to be sent the refused events again. Events that
 * still arrive on a connection being closed are not delivered: the next one replays them.
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

  constructor(opts: DriverOptions, log: Logger) {
    super(opts.uin, log);
    this.fence = opts.fence;
    this.url = typeof opts.options.url === 'string' ? opts.options.url : DEFAULT_URL;
  }

  protected drop(): void {
    this.conn?.close();
  }

  /** One connection: connect, log in (resuming after the cursor), serve until it ends. */
  protected async serve(hooks: DriverHooks, online: () => void): Promise<Ended> {
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
        else if (!conn!.isOpen)
          return; // being closed: the next connection replays it
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
      online();
      const why = await closed;
      this.conn = undefined;
      if (this.abort.signal.aborted) return { state: 'offline', detail: why };
      this.stats.disconnectTimes++;
      if (fencedOut) return { state: 'fenced', detail: why };
      this.stats.lostTimes++;
      return { state: 'offline', detail: why };
    } catch (err) {
      if (err instanceof SimError && err.code === 'FENCED')
        return { state: 'fenced', detail: err.message };
      conn?.close();
      this.conn = undefined;
      throw err;
    }
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
    const conn = this.conn;
    if (!conn || this.current !== 'online') throw new OneBotError('ACCOUNT_OFFLINE');
    try {
      return await this.send(conn, op, args);
    } catch (err) {
      throw toOneBotError(err);
    }
  }
}
