/**
 * NATS connections and the event stream, with cqfleet's defaults in one place.
 */
import type { Namespace } from '@cqfleet/contracts';
import {
  DiscardPolicy,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { EventEmitter } from 'node:events';
import type { EventStreamLimits } from './env.js';
import type { Logger } from './logger.js';

export type { NatsConnection };

/** nats-server's default `max_payload`, for a connection that has not said its own yet. */
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

/** The largest message (headers and body) the connection's server takes. */
export function maxPayload(nc: NatsConnection): number {
  return nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
}

/**
 * Connects and keeps reconnecting forever (a restarted NATS must not take a service down).
 * Status changes are logged; the status loop never throws into nothing.
 */
export async function connectNats(url: string, name: string, log: Logger): Promise<NatsConnection> {
  const nc = await connect({
    servers: url.split(','),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    pingInterval: 10_000,
    // nats.js otherwise builds two Error objects (with stack traces) for every request, to
    // give a timeout a useful stack: a quarter of a session worker's CPU went there, since
    // every JetStream publish is a request (bench/README.md, "Profiles").
    noAsyncTraces: true,
  });
  const events = new EventEmitter();
  events.setMaxListeners(0); // one per relayed upstream account
  statusEvents.set(nc, events);
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnect' || s.type === 'error')
        log.warn({ nats: s.type, server: 'server' in s ? s.server : undefined }, 'nats status');
      if (s.type === 'disconnect' || s.type === 'reconnect') events.emit(s.type);
    }
  })().catch((err: unknown) => log.error({ err }, 'nats status loop ended'));
  return nc;
}

const statusEvents = new WeakMap<NatsConnection, EventEmitter>();

/**
 * Calls `listener` each time the connection is lost (`disconnect`) or back (`reconnect`), for
 * a connection made by {@link connectNats}; returns what removes it. Core NATS delivers at
 * most once: what was published while a subscriber was away is gone, so state built on
 * messages (the relay of an upstream socket) has to be set up again.
 */
export function onNatsStatus(
  nc: NatsConnection,
  type: 'disconnect' | 'reconnect',
  listener: () => void,
): () => void {
  const events = statusEvents.get(nc);
  if (!events) return () => undefined;
  events.on(type, listener);
  return () => events.off(type, listener);
}

/** JetStream's durations are in nanoseconds. */
export const NS_PER_MS = 1_000_000;

export interface EventStreamOptions extends Partial<EventStreamLimits> {
  /** How long events stay in the stream. @default 24 h */
  maxAgeMs?: number;
  /** Window in which a second publish with the same event id is dropped. @default 10 min */
  duplicateWindowMs?: number;
  /** @default 'file' */
  storage?: 'file' | 'memory';
}

/** JetStream writes "no limit" as -1; our configuration writes it as 0. */
const limit = (value: number | undefined) => (value !== undefined && value > 0 ? value : -1);

/**
 * Creates the event stream when it does not exist (idempotent; every service may call it).
 * The stream is the durable record of every event: history consumes it and reverse-WS /
 * HTTP POST delivery replays from it. An existing stream whose replica count or bounds
 * (`EventStreamLimits`) differ is updated to them: NATS moves the data to a new replica
 * count (its durable consumers, created without a count of their own, follow the stream's)
 * and drops what a lowered bound no longer holds (a subject's
 * oldest events at its next one).
 */
export async function ensureEventStream(
  nc: NatsConnection,
  ns: Namespace,
  options: EventStreamOptions = {},
): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const config: Partial<StreamConfig> & { name: string } = {
    name: ns.eventStream,
    subjects: [ns.eventSubjects],
    retention: RetentionPolicy.Limits,
    storage: options.storage === 'memory' ? StorageType.Memory : StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: (options.maxAgeMs ?? 24 * 3600_000) * NS_PER_MS,
    max_bytes: limit(options.maxBytes),
    max_msgs_per_subject: limit(options.maxMsgsPerSubject),
    duplicate_window: (options.duplicateWindowMs ?? 10 * 60_000) * NS_PER_MS,
    num_replicas: options.replicas ?? 1,
  };
  let existing: StreamConfig;
  try {
    existing = (await jsm.streams.info(ns.eventStream)).config;
  } catch {
    try {
      await jsm.streams.add(config);
    } catch (err) {
      // Another service created it between our info and add.
      await jsm.streams.info(ns.eventStream).catch(() => {
        throw err;
      });
    }
    return;
  }
  const changed = (['num_replicas', 'max_bytes', 'max_msgs_per_subject'] as const).filter(
    key => limit(existing[key]) !== limit(config[key]),
  );
  if (changed.length > 0)
    await jsm.streams.update(ns.eventStream, {
      ...existing,
      num_replicas: config.num_replicas,
      max_bytes: config.max_bytes,
      max_msgs_per_subject: config.max_msgs_per_subject,
    });
}
