/**
 * The built-in driver: one WebSocket to the simulator per account (@cqfleet/sim-client).
 */
import { isOneBotError, OneBotError, type ErrorTag, ERRORS } from '@cqfleet/onebot';
import { backoff, type Logger, sleep } from '@cqfleet/runtime';
import {
  type EventPush,
  type OpName,
  type Ops,
  SimConnection,
  SimError,
  type SimUser,
} from '@cqfleet/sim-client';
import { ConnectionLoop } from './connection-loop.js';
import type { Cursor, Driver, DriverHooks, DriverOptions } from './driver.js';

const DEFAULT_URL = 'http://127.0.0.1:5900';

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

export class SimulatorDriver extends ConnectionLoop implements Driver {
  readonly protocol = 6;
  private readonly url: string;
  private readonly fence: number;
  private conn?: SimConnection;
  private profile?: SimUser;
  private lastSeen?: Cursor;

  constructor(opts: DriverOptions, log: Logger) {
    super(opts.uin, log);
    this.fence = opts.fence;
    this.url = typeof opts.options.url === 'string' ? opts.options.url : DEFAULT_URL;
  }

  protected drop(): void {
    this.conn?.close();
  }

  /** Connect, log in, wait for the connection to end, repeat with back-off. */
  protected async run(hooks: DriverHooks): Promise<void> {
    const signal = this.abort.signal;
    for (let attempt = 0; !signal.aborted;) {
      this.setState(hooks, 'connecting');
      let closed: Promise<string> | undefined;
      try {
        const conn = await SimConnection.open(this.url);
        closed = new Promise(
          resolve => (conn.onClose = (code, reason) => resolve(`${code} ${reason}`)),
        );
        let fencedOut = false;
        // Replayed events can arrive before the login reply is processed; they wait until
        // the epoch they belong to is known.
        let early: EventPush[] | undefined = [];
        const deliver = (push: EventPush) => {
          const cursor = { epoch: this.lastSeen?.epoch ?? '', seq: push.seq };
          this.lastSeen = cursor;
          hooks.onEvent(push.event, cursor);
        };
        conn.onPush = push => {
          this.stats.packetReceived++;
          if (push.push === 'kicked') fencedOut = true;
          else if (early) early.push(push);
          else deliver(push);
        };
        // Inside one worker, resume after what this driver has seen (it is queued for
        // publishing); after a takeover, after what the previous owner published.
        const resume = this.lastSeen ?? hooks.cursor();
        const login = await this.send(conn, 'login', {
          uin: this.uin,
          fence: this.fence,
          resume_after: resume?.seq ?? 0,
          epoch: resume?.epoch ?? '',
        });
        if (login.epoch !== resume?.epoch) this.lastSeen = { epoch: login.epoch, seq: 0 };
        else this.lastSeen = resume;
        for (const push of early) deliver(push);
        early = undefined;
        this.profile = login.self;
        this.conn = conn;
        attempt = 0;
        this.setState(hooks, 'online');
        const why = await closed;
        this.conn = undefined;
        if (signal.aborted) return;
        this.stats.disconnectTimes++;
        if (fencedOut) {
          this.setState(hooks, 'fenced', why);
          return;
        }
        this.stats.lostTimes++;
        this.setState(hooks, 'offline', why);
      } catch (err) {
        if (signal.aborted) return;
        if (err instanceof SimError && err.code === 'FENCED') {
          this.setState(hooks, 'fenced', err.message);
          return;
        }
        this.conn?.close();
        this.conn = undefined;
        this.setState(hooks, 'offline', err instanceof Error ? err.message : String(err));
      }
      await sleep(backoff(attempt++, 200, 5_000), signal).catch(() => undefined);
    }
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
