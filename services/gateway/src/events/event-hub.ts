/**
 * Events from NATS to the gateway's listeners. One core-NATS subscription per account with at
 * least one listener (reference-counted), so a gateway receives only the accounts its clients
 * use. Each event is parsed and serialised at most once per format, whatever the number of
 * connections it goes to.
 *
 * Core subscribers see every publish, including a second publish of the same event that
 * JetStream drops as a duplicate (a new owner re-publishing from its cursor, a retried
 * publish). Such re-publishes are close together, so the hub remembers the last
 * `RECENT_IDS` event ids of each account and delivers each id once.
 */
import { EVENT_ID_HEADER, type Namespace, publishedEvents } from '@cqfleet/contracts';
import type { MessageFormat, OneBotEvent } from '@cqfleet/onebot';
import { counter, headerValue, type Logger, type NatsConnection } from '@cqfleet/runtime';
import type { Subscription } from '@nats-io/transport-node';
import { stringFormatFrame } from './string-frame.js';
import { eventView } from './view.js';

const eventsIn = counter(
  'cqfleet_gateway_events_received_total',
  'Events this gateway received from NATS for its listeners (duplicates dropped)',
);

export interface HubEvent {
  selfId: number;
  postType: string;
  /** The stable event id (for de-duplication by receivers). */
  id: string | undefined;
  parsed(): OneBotEvent;
  /** The event as an endpoint with `format` sends it (filters are evaluated on this). */
  view(format: MessageFormat): OneBotEvent;
  /**
   * The event as a WebSocket text frame's bytes for an endpoint with `format`,
   * newline-terminated like go-cqhttp's. Bytes, so a frame sent to many clients is encoded once.
   */
  frame(format: MessageFormat): Buffer;
}

export type Listener = (event: HubEvent) => void;

/** Event ids remembered per account for de-duplication. */
export const RECENT_IDS = 8192;

/**
 * A bounded set: the most recent `capacity` ids. Its ring grows with the ids seen up to
 * `capacity`: a gateway subscribes every account its clients use, and a ring allocated whole
 * cost 64 KB per account however quiet (64 MB for 1,000 accounts).
 */
export class RecentIds {
  private readonly ids = new Set<string>();
  /** Insertion order; once full, `next` is the oldest, overwritten by the next id. */
  private readonly ring: string[] = [];
  private next = 0;

  constructor(private readonly capacity = RECENT_IDS) {}

  /** True the first time an id is seen (within the window). */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    if (this.ring.length < this.capacity) {
      this.ring.push(id);
    } else {
      this.ids.delete(this.ring[this.next]!);
      this.ring[this.next] = id;
      this.next = (this.next + 1) % this.capacity;
    }
    this.ids.add(id);
    return true;
  }
}

const decoder = new TextDecoder();
const NEWLINE = Buffer.from('\n');

function hubEvent(
  selfId: number,
  postType: string,
  id: string | undefined,
  data: Uint8Array,
): HubEvent {
  let parsed: OneBotEvent | undefined;
  const views: Partial<Record<MessageFormat, OneBotEvent>> = {};
  const frames: Partial<Record<MessageFormat, Buffer>> = {};
  const isMessage = postType === 'message' || postType === 'message_sent';
  const parse = () => (parsed ??= JSON.parse(decoder.decode(data)) as OneBotEvent);
  const view = (format: MessageFormat): OneBotEvent =>
    (views[format] ??= eventView(parse(), format));
  return {
    selfId,
    postType,
    id,
    parsed: parse,
    view,
    frame(format) {
      const cached = frames[format];
      if (cached !== undefined) return cached;
      // The array format is what the session published: its bytes go out as they are; the
      // string format is spliced from them (string-frame.ts), parsed only if that fails.
      const frame =
        format === 'array' || !isMessage
          ? Buffer.concat([data, NEWLINE])
          : (stringFormatFrame(data) ?? Buffer.from(JSON.stringify(view(format)) + '\n'));
      frames[format] = frame;
      return frame;
    },
  };
}

export class EventHub {
  private readonly subs = new Map<number, { sub: Subscription; listeners: Set<Listener> }>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly ns: Namespace,
    private readonly log: Logger,
  ) {}

  /** Starts delivering the account's events to `listener`; returns the unsubscribe function. */
  subscribe(selfId: number, listener: Listener): () => void {
    let entry = this.subs.get(selfId);
    if (!entry) {
      const listeners = new Set<Listener>();
      const recent = new RecentIds();
      const sub = this.nc.subscribe(this.ns.accountEventSubjects(selfId), {
        callback: (err, msg) => {
          if (err) return this.log.warn({ err: err.message, selfId }, 'event subscription error');
          const published = publishedEvents(msg.data, headerValue(msg, EVENT_ID_HEADER));
          if (!published)
            return this.log.warn({ selfId }, 'event lines do not match their ids; dropped');
          const postType = msg.subject.slice(msg.subject.lastIndexOf('.') + 1);
          for (const { id, data } of published) {
            if (id !== undefined && !recent.add(id)) continue;
            const event = hubEvent(selfId, postType, id, data);
            eventsIn.inc();
            for (const l of listeners) {
              try {
                l(event);
              } catch (e) {
                this.log.error({ err: e, selfId }, 'event listener failed');
              }
            }
          }
        },
      });
      entry = { sub, listeners };
      this.subs.set(selfId, entry);
    }
    entry.listeners.add(listener);
    const current = entry;
    return () => {
      current.listeners.delete(listener);
      if (current.listeners.size === 0 && this.subs.get(selfId) === current) {
        current.sub.unsubscribe();
        this.subs.delete(selfId);
      }
    };
  }

  /**
   * Resolves once NATS has this connection's subscriptions made so far, so an event published
   * after this resolves reaches them (a subscription is otherwise registered at the server a
   * moment after `subscribe` returns).
   */
  async flushed(): Promise<void> {
    await this.nc.flush();
  }

  get accounts(): number {
    return this.subs.size;
  }
}
