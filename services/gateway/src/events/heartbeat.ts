/**
 * Heartbeat meta events (reference §3.7): `{post_type: meta_event, meta_event_type: heartbeat,
 * time, self_id, status: <get_status data>, interval}` every `intervalMs` to every
 * event-capable connection and HTTP POST receiver of an account. The account's status is
 * asked once per interval whatever the number of listeners.
 */
import { heartbeatEvent, type MetaEvent } from '@cqfleet/onebot';
import type { Logger } from '@cqfleet/runtime';
import type { ActionCaller } from '../routing/quick-operation.js';

export type HeartbeatListener = (event: MetaEvent) => void;

const OFFLINE_STATUS = {
  app_initialized: true,
  app_enabled: true,
  plugins_good: null,
  app_good: true,
  online: false,
  good: false,
  stat: {
    packet_received: 0,
    packet_sent: 0,
    packet_lost: 0,
    message_received: 0,
    message_sent: 0,
    disconnect_times: 0,
    lost_times: 0,
    last_message_time: 0,
  },
};

export class Heartbeats {
  private readonly accounts = new Map<
    number,
    { listeners: Set<HeartbeatListener>; timer: NodeJS.Timeout }
  >();

  constructor(
    private readonly caller: ActionCaller,
    readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  /** Starts heartbeats for `listener`; returns the function that stops them. */
  subscribe(selfId: number, listener: HeartbeatListener): () => void {
    if (this.intervalMs <= 0) return () => {};
    let entry = this.accounts.get(selfId);
    if (!entry) {
      const listeners = new Set<HeartbeatListener>();
      const timer = setInterval(() => void this.beat(selfId, listeners), this.intervalMs);
      entry = { listeners, timer };
      this.accounts.set(selfId, entry);
    }
    entry.listeners.add(listener);
    const current = entry;
    return () => {
      current.listeners.delete(listener);
      if (current.listeners.size === 0 && this.accounts.get(selfId) === current) {
        clearInterval(current.timer);
        this.accounts.delete(selfId);
      }
    };
  }

  private async beat(selfId: number, listeners: Set<HeartbeatListener>): Promise<void> {
    const r = await this.caller.call('get_status', {}, { selfId, format: 'array' });
    const status = r.status === 'ok' && 'data' in r ? r.data : OFFLINE_STATUS;
    const event = heartbeatEvent(selfId, Math.floor(Date.now() / 1000), status, this.intervalMs);
    for (const l of listeners) {
      try {
        l(event);
      } catch (err) {
        this.log.warn({ err, selfId }, 'heartbeat listener failed');
      }
    }
  }

  close(): void {
    for (const { timer } of this.accounts.values()) clearInterval(timer);
    this.accounts.clear();
  }
}
