/**
 * The fleet as the console shows it (`FleetSnapshot`, contracts/console.ts), read fresh for
 * every request: one auto-pipelined round trip to Redis (registry, account-status hash, the
 * members of both lease groups, PING, INFO), the media queue's counts, and NATS's round trip,
 * each bounded by a timeout so that a missing dependency shows as down instead of hanging
 * the answer. Rates come from the sampler (fleet-sampler.ts).
 *
 * Semantics:
 * - every registry record is listed (disabled ones too), by uin;
 * - an account's status entry is fresh when written within ACCOUNT_STATUS_STALE_MS; `state`
 *   is `disabled` for a disabled account, the entry's state when fresh, otherwise `unowned`
 *   (no live worker says it runs it); `owner` is given only from a fresh entry; `nickname` and
 *   the last error are kept from a stale one (why an account died is worth seeing);
 * - members are the live ones (heartbeat within the lease TTL): a worker `holds` the accounts
 *   whose fresh entry names it in a running state (connecting, online, offline), a gateway
 *   the deliveries its member record counts;
 * - `history` is what the history service last counted into `<ns>:history:size`
 *   (services/history/src/size-report.ts, every 30 s): null when no replica has counted lately;
 * - Redis down: `redis.ok` false and no accounts or members (they all live there); media down:
 *   `media` null; NATS away: `nats.ok` false.
 */
import {
  ACCOUNT_STATUS_STALE_MS,
  AccountRecord,
  type AccountStatus,
  type FleetAccount,
  type FleetMember,
  type FleetSnapshot,
  HistorySize,
  type Namespace,
} from '@cqfleet/contracts';
import type { MediaClient } from '@cqfleet/media-client';
import { type Logger, type NatsConnection, type Redis, within } from '@cqfleet/runtime';
import { parseStatuses, type Rates } from './fleet-sampler.js';

/** Longest each dependency may take to answer for a snapshot. */
const READ_TIMEOUT_MS = 2_000;

/** States in which a worker runs an account (counted in its `holds`). */
const RUNNING = new Set(['connecting', 'online', 'offline']);

export interface FleetDeps {
  redis: Redis;
  nc: NatsConnection;
  ns: Namespace;
  media: Pick<MediaClient, 'counts'>;
  rates: (uin: number) => Rates;
  /** This replica (the snapshot's `gateway`). */
  replicaId: string;
  /** A member whose heartbeat is older than this is gone (the lease groups' TTL). */
  leaseTtlMs: number;
  log: Logger;
}

function records(raw: Record<string, string>): AccountRecord[] {
  const out: AccountRecord[] = [];
  for (const json of Object.values(raw)) {
    try {
      const r = AccountRecord.safeParse(JSON.parse(json));
      if (r.success) out.push(r.data);
    } catch {
      // A malformed record is skipped, as every reader of the registry does.
    }
  }
  return out.sort((a, b) => a.uin - b.uin);
}

/** The console's view of every account (see the semantics above). */
export function fleetAccounts(
  list: readonly AccountRecord[],
  statuses: ReadonlyMap<number, AccountStatus>,
  rates: (uin: number) => Rates,
  now: number,
): FleetAccount[] {
  return list.map(r => {
    const s = statuses.get(r.uin);
    const fresh = s !== undefined && now - s.at <= ACCOUNT_STATUS_STALE_MS ? s : undefined;
    const upstream =
      r.driver === 'onebot'
        ? {
            flavor: typeof r.options.flavor === 'string' ? r.options.flavor : 'auto',
            mode: r.options.mode === 'reverse' ? ('reverse' as const) : ('forward' as const),
          }
        : {};
    return {
      uin: r.uin,
      enabled: r.enabled,
      driver: r.driver,
      ...upstream,
      state: !r.enabled ? 'disabled' : (fresh?.state ?? 'unowned'),
      ...(s?.nickname !== undefined ? { nickname: s.nickname } : {}),
      ...(fresh ? { owner: { worker: fresh.worker, fence: fresh.fence } } : {}),
      ...rates(r.uin),
      ...(s?.lastError !== undefined ? { lastError: s.lastError } : {}),
      ...(s?.lastErrorAt !== undefined ? { lastErrorAt: s.lastErrorAt } : {}),
    };
  });
}

/** The live members of a lease group's hash, with what each holds. */
export function liveMembers(
  raw: Record<string, string>,
  now: number,
  ttlMs: number,
  holds: (id: string, record: Record<string, unknown>) => number,
): FleetMember[] {
  const out: FleetMember[] = [];
  for (const [id, json] of Object.entries(raw)) {
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(json) as Record<string, unknown>;
    } catch {
      continue;
    }
    const heartbeatAt = Number(record?.heartbeatAt);
    if (!Number.isFinite(heartbeatAt) || now - heartbeatAt >= ttlMs) continue;
    out.push({ id, holds: holds(id, record), heartbeatAt });
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

/** `field:value` lines of an INFO answer. */
export function infoFields(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) out.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  return out;
}

export class FleetReader {
  /** Dependencies whose last read failed: one line per outage, not one per console poll. */
  private readonly failing = new Set<'redis' | 'media'>();

  constructor(private readonly deps: FleetDeps) {}

  private failed(what: 'redis' | 'media', err: unknown): void {
    if (!this.failing.has(what)) this.deps.log.warn({ err }, `console: ${what} not read`);
    this.failing.add(what);
  }

  async snapshot(): Promise<FleetSnapshot> {
    const [redis, media, nats] = await Promise.all([
      this.readRedis(),
      this.readMedia(),
      this.readNats(),
    ]);
    const now = Date.now();
    const statuses = parseStatuses(redis.statuses);
    const running = new Map<string, number>();
    for (const s of statuses.values())
      if (now - s.at <= ACCOUNT_STATUS_STALE_MS && RUNNING.has(s.state))
        running.set(s.worker, (running.get(s.worker) ?? 0) + 1);
    const ttl = this.deps.leaseTtlMs;
    return {
      at: now,
      gateway: this.deps.replicaId,
      accounts: fleetAccounts(records(redis.accounts), statuses, this.deps.rates, now),
      workers: liveMembers(redis.workers, now, ttl, id => running.get(id) ?? 0),
      gateways: liveMembers(redis.gateways, now, ttl, (_, r) => Number(r.deliveries) || 0),
      media,
      history: historySize(redis.historySize),
      nats,
      redis: redis.health,
    };
  }

  /** Everything Redis holds for the snapshot, in one round trip (auto-pipelined). */
  private async readRedis() {
    const { redis, ns } = this.deps;
    try {
      const [accounts, statuses, workers, gateways, historySize, pong, memory, replication] =
        await within(
          READ_TIMEOUT_MS,
          Promise.all([
            redis.hgetall(ns.accountsKey),
            redis.hgetall(ns.accountStatusKey),
            redis.hgetall(ns.workersKey),
            redis.hgetall(ns.gatewaysKey),
            redis.get(ns.historySizeKey),
            redis.ping(),
            redis.info('memory'),
            redis.info('replication'),
          ]),
          'redis',
        );
      this.failing.delete('redis');
      const used = Number(infoFields(memory).get('used_memory'));
      const role = infoFields(replication).get('role');
      return {
        accounts,
        statuses,
        workers,
        gateways,
        historySize,
        health: {
          ok: pong === 'PONG',
          ...(role ? { role } : {}),
          ...(Number.isFinite(used) ? { usedMemoryBytes: used } : {}),
        },
      };
    } catch (err) {
      this.failed('redis', err);
      return {
        accounts: {},
        statuses: {},
        workers: {},
        gateways: {},
        historySize: null,
        health: { ok: false },
      };
    }
  }

  private async readMedia(): Promise<FleetSnapshot['media']> {
    try {
      const counts = await within(READ_TIMEOUT_MS, this.deps.media.counts(), 'media queue');
      this.failing.delete('media');
      return counts;
    } catch (err) {
      this.failed('media', err);
      return null;
    }
  }

  private async readNats(): Promise<FleetSnapshot['nats']> {
    const { nc } = this.deps;
    const server = nc.isClosed() ? undefined : nc.getServer();
    try {
      const rttMs = await within(READ_TIMEOUT_MS, nc.rtt(), 'nats');
      return { ok: true, ...(server ? { server } : {}), rttMs };
    } catch {
      // Disconnected (reconnecting) or closed: rtt() says so at once, or the timeout does.
      return { ok: false, ...(server ? { server } : {}) };
    }
  }
}

/** The history service's last count (a JSON it wrote), or null when missing or not one. */
function historySize(json: string | null): FleetSnapshot['history'] {
  if (json === null) return null;
  try {
    const parsed = HistorySize.safeParse(JSON.parse(json));
    return parsed.success ? { messages: parsed.data.messages } : null;
  } catch {
    return null;
  }
}
