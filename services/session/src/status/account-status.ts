/**
 * What this worker says of the accounts it runs, for the operator console (issue 19,
 * @cqfleet/contracts console.ts): one `AccountStatus` JSON per account in the Redis hash
 * `<ns>:account-status` (field = the uin).
 *
 * - An account's entry is written within `SOON_MS` of a change of its state (or nickname), and
 *   every entry is rewritten every `ACCOUNT_STATUS_EVERY_MS`, so that its counters advance and
 *   `at` stays fresh (the gateway takes an entry older than `ACCOUNT_STATUS_STALE_MS` for one
 *   whose worker died).
 * - One flush is one script call for all its entries (a worker with 1,000 accounts makes one
 *   round trip a second), and flushes never overlap, so a deletion queued after a write runs
 *   after it.
 * - Fenced: an entry is written only while this worker holds the account's lease, and only over
 *   an entry whose fence is not newer (a successor's entry is never overwritten); an account
 *   released or lost has its entry deleted only while the entry still carries our fence.
 * - `lastError` is the detail of the account's latest `offline` / `fenced` state (the close code
 *   and reason, or the error its connection met); it stays until a newer one, for as long as
 *   this worker runs the account. Stopping the account is not an error.
 * - `nickname` is read once per connection when the account comes online, from the driver's
 *   login profile (what `get_login_info` answers); a failure leaves the previous one.
 * - While Redis is not ready nothing is written (entries go stale, then fresh again); a failed
 *   flush is logged and the next one writes everything again.
 */
import {
  ACCOUNT_STATUS_EVERY_MS,
  type AccountStatus,
  type Lease,
  type Namespace,
} from '@cqfleet/contracts';
import type { Logger, Redis } from '@cqfleet/runtime';
import type { Connection, DriverState } from '../driver/index.js';

/** How long a state change waits, so that the changes of many accounts go in one flush. */
const SOON_MS = 100;
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

  /** One script call: the changed (or all) entries held under our lease, and the deletions. */
  private async flush(everything: boolean): Promise<void> {
    if (this.redis.status !== 'ready') return; // an outage: skip, the next flush catches up
    const now = Date.now();
    const writes: string[] = [];
    for (const e of this.entries.values()) {
      if (!everything && !e.dirty) continue;
      const { uin, lease } = e.source;
      if (!this.holds(uin, lease.fence)) continue;
      e.dirty = false;
      writes.push(String(uin), String(lease.fence), JSON.stringify(this.status(e, now)));
    }
    const deletes = [...this.removed.values()];
    if (writes.length === 0 && deletes.length === 0) return;
    for (const d of deletes) this.removed.delete(`${d.uin}/${d.fence}`);
    try {
      await (this.redis as unknown as StatusCommands).cqfAccountStatus(
        this.ns.accountStatusKey,
        String(writes.length / 3),
        ...writes,
        ...deletes.flatMap(d => [String(d.uin), String(d.fence)]),
      );
    } catch (err) {
      // Deletions are retried; writes are redone by the next full flush.
      for (const d of deletes) this.removed.set(`${d.uin}/${d.fence}`, d);
      throw err;
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
