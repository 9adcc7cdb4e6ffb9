/**
 * What this worker says of the accounts it runs, for the operator console (issue 19,
 * @cqfleet/contracts console.ts): one `AccountStatus` JSON per account in the Redis hash
 * `<ns>:account-status` (field = the uin).
 *
 * - An account's entry is written within `SOON_MS` of a change of its state (or nickname),
 *   within `ACCOUNT_STATUS_EVERY_MS` of a change of its counters, and otherwise rewritten
 *   every `ACCOUNT_STATUS_REFRESH_MS` or so, so that `at` stays fresh (the gateway takes an
 *   entry older than `ACCOUNT_STATUS_STALE_MS` for one whose worker died). The refreshes of
 *   idle accounts are spread over time (each next one at a random point of the second half of
 *   the period): rewriting all 1,000 entries of a worker every second held Redis for about
 *   3 ms each time (bench/README.md), which every event's history write waited behind.
 * - A flush is one script call per `FLUSH_CHUNK` entries, one after another (never one long
 *   script), and flushes never overlap, so a deletion queued after a write runs after it.
 * - Fenced: an entry is written only while this worker holds the account's lease, and only over
 *   an entry whose fence is not newer (a successor's entry is never overwritten); an account
 *   released or lost has its entry deleted only while the entry still carries our fence.
 * - `lastError` is the detail of the account's latest `offline` / `fenced` state (the close code
 *   and reason, or the error its connection met); it stays until a newer one, for as long as
 *   this worker runs the account. Stopping the account is not an error.
 * - `nickname` is read once per connection when the account comes online, from the driver's
 *   login profile (what `get_login_info` answers); a failure leaves the previous one.
 * - While Redis is not ready nothing is written (entries go stale, then fresh again); a failed
 *   flush is logged and the next one writes what it did not.
 */
import {
  ACCOUNT_STATUS_EVERY_MS,
  ACCOUNT_STATUS_STALE_MS,
  type AccountStatus,
  type Lease,
  type Namespace,
} from '@cqfleet/contracts';
import type { Logger, Redis } from '@cqfleet/runtime';
import type { Connection, DriverState } from '../driver/index.js';

/** How long a state change waits, so that the changes of many accounts go in one flush. */
const SOON_MS = 100;
/** An unchanged entry is rewritten after this (or up to half of it sooner). */
export const ACCOUNT_STATUS_REFRESH_MS = ACCOUNT_STATUS_STALE_MS / 2;
/** Most entries (writes and deletions) one script call takes. */
const FLUSH_CHUNK = 200;
/** How long a graceful stop waits for its final deletions. */
const STOP_WAIT_MS = 2_000;

/**
 * KEYS[1] the hash; ARGV[1] the number of writes, then (uin, fence, json) per write, then
 * (uin, fence) per deletion. A write replaces an entry with a fence not above its own; a deletion
 * removes an entry with exactly its fence. Writes go in multi-field HSETs of up to 500 fields.
 */
const FLUSH = `
local key = KEYS[1]
local function fenceOf(uin)
  local cur = redis.call('hget', key, uin)
  if not cur then return nil end
  local ok, v = pcall(cjson.decode, cur)
  if ok and type(v) == 'table' and type(v.fence) == 'number' then return v.fence end
  return nil
end
local writes = tonumber(ARGV[1])
local i = 2
local batch = {}
for _ = 1, writes do
  local f = fenceOf(ARGV[i])
  if f == nil or f <= tonumber(ARGV[i + 1]) then
    batch[#batch + 1] = ARGV[i]
    batch[#batch + 1] = ARGV[i + 2]
    if #batch >= 1000 then redis.call('hset', key, unpack(batch)) batch = {} end
  end
  i = i + 3
end
if #batch > 0 then redis.call('hset', key, unpack(batch)) end
while i < #ARGV do
  if fenceOf(ARGV[i]) == tonumber(ARGV[i + 1]) then redis.call('hdel', key, ARGV[i]) end
  i = i + 2
end
return 0`;

/** What the board reads of a running account (an AccountRuntime). */
export interface StatusSource {
  readonly uin: number;
  readonly lease: Lease;
  readonly driver: Pick<Connection, 'self'>;
  /** Events stored in the stream, and actions executed, since the worker took the account. */
  readonly eventsPublished: number;
  readonly actionsExecuted: number;
}

interface Entry {
  source: StatusSource;
  state: DriverState;
  detail?: string;
  lastError?: string;
  lastErrorAt?: number;
  nickname?: string;
  since: number;
  dirty: boolean;
  /** The counters as last written, and when the entry is due for a refresh anyway. */
  written?: { events: number; actions: number };
  refreshAt: number;
}

export class AccountStatusBoard {
  private readonly entries = new Map<number, Entry>();
  /** Deletions not yet done, by `uin/fence`. */
  private readonly removed = new Map<string, { uin: number; fence: number }>();
  private timer?: NodeJS.Timeout;
  private soon?: NodeJS.Timeout;
  private busy?: Promise<void>;
  private wanted = false;
  private wantAll = false;
  private stopped = false;
  private failing = false;

  constructor(
    private readonly redis: Redis,
    private readonly ns: Namespace,
    private readonly workerId: string,
    private readonly holds: (uin: number, fence: number) => boolean,
    private readonly log: Logger,
  ) {
    redis.defineCommand('cqfAccountStatus', { numberOfKeys: 1, lua: FLUSH });
  }

  start(): void {
    this.timer = setInterval(() => this.request(true), ACCOUNT_STATUS_EVERY_MS).unref();
  }

  /** An account the worker now runs (before its driver starts). */
  add(source: StatusSource): void {
    this.entries.set(source.uin, {
      source,
      state: 'connecting',
      since: Date.now(),
      dirty: true,
      refreshAt: 0,
    });
    this.removed.delete(`${source.uin}/${source.lease.fence}`);
    this.touch();
  }

  /** The driver's onState hook. */
  changed(uin: number, state: DriverState, detail?: string): void {
    const e = this.entries.get(uin);
    if (!e) return;
    e.state = state;
    e.detail = detail;
    if ((state === 'offline' || state === 'fenced') && detail) {
      e.lastError = detail;
      e.lastErrorAt = Date.now();
    }
    e.dirty = true;
    this.touch();
    if (state === 'online') {
      const fence = e.source.lease.fence;
      e.source.driver
        .self()
        .then(self => {
          const now = this.entries.get(uin);
          if (now?.source.lease.fence !== fence || now.nickname === self.nickname) return;
          now.nickname = self.nickname;
          now.dirty = true;
          this.touch();
        })
        .catch(() => undefined); // the nickname is a nicety
    }
  }

  /** The worker released or lost the account: its entry goes (when it is still ours). */
  remove(uin: number): void {
    const e = this.entries.get(uin);
    if (!e) return;
    this.entries.delete(uin);
    const fence = e.source.lease.fence;
    this.removed.set(`${uin}/${fence}`, { uin, fence });
    this.touch();
  }

  /** Stops writing; the entries of accounts still held are deleted too (graceful stop). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.soon);
    const final = (async () => {
      await this.busy;
      for (const uin of [...this.entries.keys()]) this.remove(uin);
      await this.flush(false);
    })().catch((err: unknown) => this.log.warn({ err }, 'account status: final deletions failed'));
    await Promise.race([final, new Promise(r => setTimeout(r, STOP_WAIT_MS).unref())]);
  }

  private touch(): void {
    if (this.stopped) return;
    this.soon ??= setTimeout(() => {
      this.soon = undefined;
      this.request(false);
    }, SOON_MS).unref();
  }

  /** Runs a flush now, or after the one running (flushes never overlap, never pile up). */
  private request(all: boolean): void {
    this.wanted = true;
    this.wantAll ||= all;
    if (this.busy) return;
    this.busy = (async () => {
      while (this.wanted && !this.stopped) {
        const everything = this.wantAll;
        this.wanted = this.wantAll = false;
        try {
          await this.flush(everything);
          if (this.failing) this.log.info('account status written again');
          this.failing = false;
        } catch (err) {
          if (!this.failing) this.log.warn({ err }, 'account status not written');
          this.failing = true;
        }
      }
    })().finally(() => (this.busy = undefined));
  }

  /** True when the entry is to be written in this flush. */
  private due(e: Entry, everything: boolean, now: number): boolean {
    if (e.dirty || now >= e.refreshAt) return true;
    if (!everything) return false;
    const w = e.written;
    return w?.events !== e.source.eventsPublished || w.actions !== e.source.actionsExecuted;
  }

  /**
   * The changed entries held under our lease (with `everything`, also those whose counters
   * moved or whose refresh is due), and the deletions, in chunks of FLUSH_CHUNK.
   */
  private async flush(everything: boolean): Promise<void> {
    if (this.redis.status !== 'ready') return; // an outage: skip, the next flush catches up
    const now = Date.now();
    const writes: Array<[string, string, string]> = [];
    for (const e of this.entries.values()) {
      if (!this.due(e, everything, now)) continue;
      const { uin, lease } = e.source;
      if (!this.holds(uin, lease.fence)) continue;
      e.dirty = false;
      const status = this.status(e, now);
      e.written = { events: status.events, actions: status.actions };
      e.refreshAt = now + ACCOUNT_STATUS_REFRESH_MS * (0.5 + Math.random() / 2);
      writes.push([String(uin), String(lease.fence), JSON.stringify(status)]);
    }
    const deletes = [...this.removed.values()];
    for (const d of deletes) this.removed.delete(`${d.uin}/${d.fence}`);
    for (let w = 0, d = 0; w < writes.length || d < deletes.length;) {
      const someWrites = writes.slice(w, w + FLUSH_CHUNK);
      const someDeletes = deletes.slice(d, d + FLUSH_CHUNK - someWrites.length);
      w += someWrites.length;
      d += someDeletes.length;
      try {
        await (this.redis as unknown as StatusCommands).cqfAccountStatus(
          this.ns.accountStatusKey,
          String(someWrites.length),
          ...someWrites.flat(),
          ...someDeletes.flatMap(x => [String(x.uin), String(x.fence)]),
        );
      } catch (err) {
        // Deletions not done are retried; writes not done are redone by the next flush.
        for (const x of deletes.slice(d - someDeletes.length))
          this.removed.set(`${x.uin}/${x.fence}`, x);
        for (const [uin] of writes.slice(w - someWrites.length)) {
          const e = this.entries.get(Number(uin));
          if (e) e.refreshAt = 0;
        }
        throw err;
      }
    }
  }

  private status(e: Entry, at: number): AccountStatus {
    return {
      uin: e.source.uin,
      worker: this.workerId,
      fence: e.source.lease.fence,
      state: e.state,
      detail: e.detail,
      lastError: e.lastError,
      lastErrorAt: e.lastErrorAt,
      nickname: e.nickname,
      events: e.source.eventsPublished,
      actions: e.source.actionsExecuted,
      since: e.since,
      at,
    };
  }
}

interface StatusCommands {
  cqfAccountStatus(key: string, ...args: string[]): Promise<number>;
}
