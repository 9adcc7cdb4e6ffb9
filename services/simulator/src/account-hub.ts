/**
 * Per-account event logs and driver connections.
 *
 * Every event of an account gets the next seq of that account and is kept in a bounded log, so
 * a driver that logs in with `resume_after` receives what it missed (QQ's offline messages).
 * The log is bounded in count (`logSize`) and in bytes (`logBytes`, each event measured as its
 * JSON once, however many accounts keep it): the count alone let an account keep 10,000 large
 * events, and a group message is one event in every member account's log. When the bytes run
 * out, the oldest events go as they do past the count; a driver resuming from before them
 * receives what is left.
 * At most one connection per account is logged in: a login with a higher fence kicks the
 * current one, a lower fence is refused (see @cqfleet/sim-client protocol.ts).
 */
import { randomUUID } from 'node:crypto';
import { type EventPush, type Push, SimError, type SimEvent } from '@cqfleet/sim-client';

/** What the hub needs from a driver socket. */
export interface DriverLink {
  send(push: Push): void;
  /** Another login took over: the client is told so, and must not come back. */
  kick(reason: string): void;
  /** The connection is lost (fault injection): no word, the client reconnects. */
  drop(): void;
}

interface AccountLog {
  nextSeq: number;
  entries: EventPush[];
  /** The JSON size of each entry, in step with `entries`, and their sum. */
  sizes: number[];
  bytes: number;
  maxFence: number;
  link?: DriverLink;
}

/**
 * Bytes (JSON characters) of events kept per account. 10,000 ordinary events (0.5-1 KB of JSON
 * each) take 5-10 MB, so this binds only when events are large: then it, not the count, bounds
 * the memory an account's log holds.
 */
export const DEFAULT_LOG_BYTES = 16 * 1024 * 1024;

export class AccountHub {
  /** Changes at every simulator start; seqs are only comparable within one epoch. */
  readonly epoch = randomUUID();
  private readonly logs = new Map<number, AccountLog>();

  private readonly trimChunk: number;
  /** Sizes of events being delivered to several accounts: measured once. */
  private readonly sizes = new WeakMap<SimEvent, number>();

  constructor(
    private readonly logSize = 10_000,
    private readonly logBytes = DEFAULT_LOG_BYTES,
  ) {
    this.trimChunk = Math.max(1, Math.floor(logSize / 8));
  }

  private log(uin: number): AccountLog {
    let log = this.logs.get(uin);
    if (!log) {
      log = { nextSeq: 1, entries: [], sizes: [], bytes: 0, maxFence: 0 };
      this.logs.set(uin, log);
    }
    return log;
  }

  /** Records an event for an account and pushes it to the logged-in connection, if any. */
  deliver(uin: number, event: SimEvent): void {
    const log = this.log(uin);
    const push: EventPush = { push: 'event', seq: log.nextSeq++, event };
    let size = this.sizes.get(event);
    if (size === undefined) this.sizes.set(event, (size = JSON.stringify(event).length));
    log.entries.push(push);
    log.sizes.push(size);
    log.bytes += size;
    // Trimmed in chunks: a splice per event past the limit copied the whole log every time.
    // Past the bytes, down to 7/8 of them, for the same reason.
    let drop = 0;
    if (log.entries.length >= this.logSize + this.trimChunk)
      drop = log.entries.length - this.logSize;
    if (log.bytes > this.logBytes) {
      let bytes = log.bytes;
      for (let i = 0; i < drop; i++) bytes -= log.sizes[i]!;
      const target = this.logBytes - Math.floor(this.logBytes / 8);
      // The newest event stays whatever its size, so a login still learns the last seq's event.
      while (bytes > target && drop < log.entries.length - 1) bytes -= log.sizes[drop++]!;
    }
    if (drop > 0) {
      log.entries.splice(0, drop);
      for (const dropped of log.sizes.splice(0, drop)) log.bytes -= dropped;
    }
    log.link?.send(push);
  }

  /** Bytes (JSON characters) of the events an account's log keeps now. */
  loggedBytes(uin: number): number {
    return this.logs.get(uin)?.bytes ?? 0;
  }

  /**
   * Logs a connection in. Returns the seq of the last event and the events after
   * `resumeAfter` (all of them when the client's epoch is not ours). The caller must send
   * `replay` in the same tick, before anything else can be delivered, to keep the order.
   */
  login(
    uin: number,
    fence: number,
    resumeAfter: number,
    clientEpoch: string,
    link: DriverLink,
  ): { lastSeq: number; replay: EventPush[] } {
    const log = this.log(uin);
    if (fence < log.maxFence)
      throw new SimError(
        'FENCED',
        `fence ${fence} is older than ${log.maxFence}; another login took over`,
      );
    log.maxFence = fence;
    if (log.link && log.link !== link) log.link.kick('logged in elsewhere');
    log.link = link;
    const after = clientEpoch === this.epoch ? resumeAfter : 0;
    const replay = log.entries.filter(p => p.seq > after);
    return { lastSeq: log.nextSeq - 1, replay: replay.slice(-this.logSize) };
  }

  /** Forgets a connection (it closed). */
  logout(uin: number, link: DriverLink): void {
    const log = this.logs.get(uin);
    if (log?.link === link) log.link = undefined;
  }

  isOnline(uin: number): boolean {
    return this.logs.get(uin)?.link !== undefined;
  }

  /** Drops an account's connection (fault injection). */
  drop(uin: number): boolean {
    const log = this.logs.get(uin);
    if (!log?.link) return false;
    log.link.drop();
    log.link = undefined;
    return true;
  }
}
