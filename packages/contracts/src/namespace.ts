/**
 * Every name cqfleet creates in NATS and Redis, derived from one namespace so that several
 * clusters (or test runs) share one NATS and one Redis without seeing each other.
 *
 * NATS subjects
 * - `<ns>.events.<self_id>.<post_type>`  every event, in the JetStream stream `<NS>_EVENTS`;
 *   also received by core subscribers (the gateway) at the moment it is stored;
 * - `<ns>.ownership`                     core NATS: an account's owner changed ({@link OwnershipChange});
 * - `<ns>.registry`                      core NATS: the account registry changed;
 * - `<ns>.filters.reload`                core NATS: an operator reloaded an event filter; every
 *   gateway replica re-reads it ({@link FilterReload});
 * - `<ns>.upstream.<self_id>.<kind>[.<conn>]` core NATS: the relay of a reverse-WebSocket
 *   upstream between the gateway holding its socket and the account's owner (upstream-relay.ts).
 *
 * Redis keys (all under `<ns>:`)
 * - `accounts`            hash uin → AccountRecord JSON (the account registry)
 * - `accounts:since`      when the registry was first written (ms): its absence means Redis
 *                         lost the registry (restarted empty), so declared accounts seed it again
 * - `workers`             hash worker id → WorkerRecord JSON
 * - `lease:<uin>`         `<worker id>|<fence>`, with a TTL: who owns the account
 * - `fence:<uin>`         counter; each new lease takes the next value (the fencing token)
 * - `cursor:<uin>`        the last driver event seq published for the account
 * - `umedia:<uin>`, `umedia:<uin>:old` hashes `<kind>:<name>` → where an upstream account's
 *                         received media can be fetched, bounded per account (the session's
 *                         upstream/media-names.ts)
 * - `h:*`                 history records and indexes (owned by the history service)
 * - `media:payload:<id>`  bytes a producer hands to a media job (base64 media), with a TTL;
 *                         the worker deletes them (@cqfleet/media-client payloads.ts)
 */
import type { RelayKind } from './upstream-relay.js';

/** Payload of `<ns>.filters.reload` (JSON). */
export interface FilterReload {
  /** The filter as the operator named it in `reload_event_filter`. */
  file: string;
  /** The replica that answered the call (it has reloaded already). */
  replica: string;
}

export const DEFAULT_NAMESPACE = 'cqfleet';

export class Namespace {
  readonly name: string;

  constructor(name: string = DEFAULT_NAMESPACE) {
    if (!/^[a-zA-Z0-9_-]{1,64}$/.test(name))
      throw new Error(
        `namespace must be 1-64 letters, digits, "_" or "-": ${JSON.stringify(name)}`,
      );
    this.name = name;
  }

  // --- NATS ---------------------------------------------------------------------------

  /** The JetStream stream holding every event. */
  get eventStream(): string {
    return `${this.name.toUpperCase().replace(/-/g, '_')}_EVENTS`;
  }

  /** Subjects captured by the event stream. */
  get eventSubjects(): string {
    return `${this.name}.events.>`;
  }

  eventSubject(selfId: number, postType: string): string {
    return `${this.name}.events.${selfId}.${postType}`;
  }

  accountEventSubjects(selfId: number): string {
    return `${this.name}.events.${selfId}.>`;
  }

  /** The self_id an event subject belongs to. */
  selfIdOfSubject(subject: string): number {
    const parts = subject.split('.');
    return Number(parts[parts.length - 2]);
  }

  get ownershipSubject(): string {
    return `${this.name}.ownership`;
  }

  get registrySubject(): string {
    return `${this.name}.registry`;
  }

  /** Core NATS: reload an event filter on every gateway replica ({@link FilterReload}). */
  get filterReloadSubject(): string {
    return `${this.name}.filters.reload`;
  }

  /** A subject of the relay of account `selfId`'s reverse-WebSocket upstream. */
  upstreamSubject(selfId: number, kind: RelayKind, conn?: string): string {
    const base = `${this.name}.upstream.${selfId}.${kind}`;
    return conn === undefined ? base : `${base}.${conn}`;
  }

  /** Redis hash of live gateway replicas. */
  get gatewaysKey(): string {
    return this.key('gateways');
  }

  /** Lease of the delivery of one account's events to one outbound endpoint. */
  deliveryLease(endpoint: string, selfId: number): string {
    return this.key('dlv', endpoint, selfId);
  }

  deliveryFence(endpoint: string, selfId: number): string {
    return this.key('dlvf', endpoint, selfId);
  }

  /** Durable consumer that feeds one (endpoint, account) delivery, replaying what it missed. */
  deliveryConsumer(endpoint: string, selfId: number): string {
    return `${this.name}-dlv-${endpoint}-${selfId}`;
  }

  /** Durable consumer name of the history service. */
  get historyConsumer(): string {
    return `${this.name}-history`;
  }

  // --- Redis --------------------------------------------------------------------------

  key(...parts: Array<string | number>): string {
    return [this.name, ...parts].join(':');
  }

  get accountsKey(): string {
    return this.key('accounts');
  }

  /** Set with the registry's first write; missing when Redis lost the registry. */
  get accountsSinceKey(): string {
    return this.key('accounts', 'since');
  }

  get workersKey(): string {
    return this.key('workers');
  }

  /** Hash uin → AccountStatus JSON, written by the worker running each account (console.ts). */
  get accountStatusKey(): string {
    return this.key('account-status');
  }

  leaseKey(uin: number): string {
    return this.key('lease', uin);
  }

  fenceKey(uin: number): string {
    return this.key('fence', uin);
  }

  cursorKey(uin: number): string {
    return this.key('cursor', uin);
  }

  /** JSON `HistorySize` (console.ts), rewritten by the history service every half minute. */
  get historySizeKey(): string {
    return this.key('history', 'size');
  }

  /** Prefix of every key of the message store (@cqfleet/history-store). */
  get historyPrefix(): string {
    return this.key('h') + ':';
  }

  // --- BullMQ -------------------------------------------------------------------------

  /** BullMQ `prefix` option (its keys become `<ns>:bull:<queue>:*`). */
  get bullPrefix(): string {
    return this.key('bull');
  }

  get mediaQueue(): string {
    return 'media';
  }
}
