/**
 * What the event pipeline asks when a publish comes back as a duplicate: the ids of the events
 * the stream message at `seq` holds (event-pipeline.ts). [] when the message is gone (the
 * stream's limits removed it).
 */
import { EVENT_ID_HEADER, EVENT_ID_SEPARATOR, type Namespace } from '@cqfleet/contracts';
import type { NatsConnection } from '@cqfleet/runtime';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { StoredIds } from './event-pipeline.js';

export function storedEventIds(nc: NatsConnection, ns: Namespace): StoredIds {
  let jsm: Promise<JetStreamManager> | undefined;
  return async seq => {
    jsm ??= jetstreamManager(nc).catch((err: unknown) => {
      jsm = undefined;
      throw err;
    });
    const stored = await (await jsm).streams.getMessage(ns.eventStream, { seq });
    const ids = stored?.header?.get(EVENT_ID_HEADER);
    return ids ? ids.split(EVENT_ID_SEPARATOR) : [];
  };
}
