/**
 * Per-account event logs and driver connections.
 *
 * Every event of an account gets the next seq of that account and is kept in a bounded log, so
 * a driver that logs in with `resume_after` receives what it missed (QQ's offline messages).
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
  maxFence: number;
  link?: DriverLink;
}

export class AccountHub {
  /** Changes at every simulator start; seqs are only comparable within one epoch. */
  readonly epoch = randomUUID();
  private readonly logs = new Map<number, AccountLog>();

  private readonly trimChunk: number;

  constructor(private readonly logSize = 10_000) {
    this.trimChunk = Math.max(1, Math.floor(logSize / 8));
  }

  private log(uin: number): AccountLog {
    let log = this.logs.get(uin);
    if (!log) {
      log = { nextSeq: 1, entries: [], maxFence: 0 };
      this.logs.set(uin, log);
    }
    return log;
  }

  /** Records an event for an account and pushes it to the logged-in connection, if any. */
  deliver(uin: number, event: SimEvent): void {
    const log = this.log(uin);
    const push: EventPush = { push: 'event', seq: log.nextSeq++, event };
    log.entries.push(push);
    // Trimmed in chunks: a splice per event past the limit copied the whole log every time.
    if (log.entries.length >= this.logSize + this.trimChunk)
      log.entries.splice(0, log.entries.length - this.logSize);
    log.link?.send(push);
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
