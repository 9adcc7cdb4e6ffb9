/**
 * The console's rates: every SAMPLE_EVERY_MS the gateway reads the account-status hash
 * (`<ns>:account-status`, written by the session workers, contracts/console.ts) in one HGETALL
 * and turns each account's counters into events/s and actions/s, keeping the last
 * SAMPLES_KEPT values per account (a minute).
 *
 * A rate is the difference of two entries' counters over the difference of their `at` (the
 * writer's clock, the moment each count was true), so neither the sampler's timing nor the
 * worker's write period skews it. The series starts again when the account's worker or fence
 * changes (the counters start at 0 with every new owner), and a counter that went down under
 * the same owner is taken as a new start too: a rate is never negative. An entry not rewritten
 * since the last sample (a stalled or gone worker) gives 0.
 *
 * Bounded: it keeps only the accounts present in the hash at the last sample (an account that
 * disappears is dropped), each with at most SAMPLES_KEPT values per series. It never throws
 * into the event loop: a failed read is logged (once per run of failures) and the next sample
 * tries again; samples never overlap; `stop()` ends it (with the gateway).
 */
import { AccountStatus } from '@cqfleet/contracts';
import { type Logger, type Redis, within } from '@cqfleet/runtime';

/** How often the hash is read. */
export const SAMPLE_EVERY_MS = 2_000;
/** Values kept per series: a minute at SAMPLE_EVERY_MS. */
export const SAMPLES_KEPT = 30;
/** Longest a read may take before the sample is given up (Redis away). */
const READ_TIMEOUT_MS = 1_500;

/** Every well-formed entry of the account-status hash, by uin (a malformed one is skipped). */
export function parseStatuses(raw: Record<string, string>): Map<number, AccountStatus> {
  const out = new Map<number, AccountStatus>();
  for (const [field, json] of Object.entries(raw)) {
    try {
      const r = AccountStatus.safeParse(JSON.parse(json));
      // The field names the account; an entry that says otherwise is not trusted.
      if (r.success && String(r.data.uin) === field) out.set(r.data.uin, r.data);
    } catch {
      // Not JSON: skipped, like a malformed registry record.
    }
  }
  return out;
}

export interface Rates {
  eventsPerSecond: number[];
  actionsPerSecond: number[];
}

interface Track extends Rates {
  worker: string;
  fence: number;
  events: number;
  actions: number;
  at: number;
}

/** Two decimals: enough for a chart, and a thousand accounts' series stay small. */
const round = (n: number) => Math.round(n * 100) / 100;

function push(series: number[], value: number): void {
  series.push(round(value));
  if (series.length > SAMPLES_KEPT) series.splice(0, series.length - SAMPLES_KEPT);
}

/** The rate series of every account, from successive samples (pure: no I/O, no clock). */
export class RateTracker {
  private tracks = new Map<number, Track>();

  /** Takes one sample: the hash's entries now. Accounts absent from it are forgotten. */
  observe(statuses: ReadonlyMap<number, AccountStatus>): void {
    const next = new Map<number, Track>();
    for (const [uin, s] of statuses) {
      const prev = this.tracks.get(uin);
      const sameRun =
        prev !== undefined &&
        prev.worker === s.worker &&
        prev.fence === s.fence &&
        s.events >= prev.events &&
        s.actions >= prev.actions &&
        s.at >= prev.at;
      const track: Track = sameRun
        ? { ...prev, events: s.events, actions: s.actions, at: s.at }
        : {
            worker: s.worker,
            fence: s.fence,
            events: s.events,
            actions: s.actions,
            at: s.at,
            eventsPerSecond: [],
            actionsPerSecond: [],
          };
      if (sameRun) {
        const seconds = (s.at - prev.at) / 1000;
        push(track.eventsPerSecond, seconds > 0 ? (s.events - prev.events) / seconds : 0);
        push(track.actionsPerSecond, seconds > 0 ? (s.actions - prev.actions) / seconds : 0);
      }
      next.set(uin, track);
    }
    this.tracks = next;
  }

  /** An account's series, oldest first (empty when it has fewer than two samples). */
  rates(uin: number): Rates {
    const t = this.tracks.get(uin);
    return {
      eventsPerSecond: t ? [...t.eventsPerSecond] : [],
      actionsPerSecond: t ? [...t.actionsPerSecond] : [],
    };
  }

  /** Accounts tracked now. */
  get size(): number {
    return this.tracks.size;
  }
}

/** Reads the account-status hash every SAMPLE_EVERY_MS into a {@link RateTracker}. */
export class FleetSampler {
  readonly tracker = new RateTracker();
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private failing = false;

  constructor(
    private readonly redis: Redis,
    /** `Namespace.accountStatusKey`. */
    private readonly key: string,
    private readonly log: Logger,
    private readonly everyMs = SAMPLE_EVERY_MS,
  ) {}

  /** Samples now, then every period; never throws. */
  start(): void {
    if (this.timer || this.stopped) return;
    this.tick();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  rates(uin: number): Rates {
    return this.tracker.rates(uin);
  }

  /** One sample, then the next one scheduled: a slow read delays the next, never overlaps it. */
  private tick(): void {
    void this.sample()
      .catch((err: unknown) => {
        // One line per run of failures, not one every two seconds while Redis is away.
        if (!this.failing) this.log.warn({ err }, 'console sampler: account status not read');
        this.failing = true;
      })
      .finally(() => {
        if (this.stopped) return;
        this.timer = setTimeout(() => this.tick(), this.everyMs);
        // The sampler alone must not keep a stopping process alive.
        this.timer.unref();
      });
  }

  private async sample(): Promise<void> {
    const raw = await within(READ_TIMEOUT_MS, this.redis.hgetall(this.key), 'HGETALL');
    if (this.stopped) return;
    this.tracker.observe(parseStatuses(raw));
    if (this.failing) this.log.info('console sampler: account status read again');
    this.failing = false;
  }
}
