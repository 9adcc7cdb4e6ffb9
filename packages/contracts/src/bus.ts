/**
 * How events travel on NATS. The message body is the OneBot event JSON in go-cqhttp's shape
 * with `message` as a segment array; everything else rides in headers.
 */

/**
 * The stable event id, also used as `Nats-Msg-Id` so that JetStream drops a second publish of
 * the same event (a worker that takes an account over re-publishes from its cursor).
 */
export const EVENT_ID_HEADER = 'Cqfleet-Event-Id';
/** Header with the fencing token of the lease the publishing worker held (which owner said it). */
export const EVENT_FENCE_HEADER = 'Cqfleet-Fence';

/**
 * Id of an event the driver delivered: `<self_id>:d:<epoch>:<seq>`. The driver's `epoch`
 * changes when its sequence restarts (a restarted simulator), so ids never repeat.
 */
export function driverEventId(selfId: number, epoch: string, driverSeq: number): string {
  return `${selfId}:d:${epoch}:${driverSeq}`;
}

/** Id of the `message_sent` event for a message the account sent itself. */
export function sentEventId(selfId: number, chat: 'g' | 'p', chatId: number, seq: number): string {
  return `${selfId}:s:${chat}${chatId}:${seq}`;
}

/**
 * Id of an event an upstream OneBot implementation reported for its account:
 * `<self_id>:u:<digest of the frame>`. History keeps such events under the account alone: they
 * are the upstream's word, not cqfleet's (see @cqfleet/history-store store.ts).
 */
export function upstreamEventId(selfId: number, digest: string): string {
  return `${selfId}:u:${digest}`;
}

/** True for the id of an event an upstream implementation reported. */
export function isUpstreamEventId(id: string | undefined): boolean {
  return id !== undefined && /^\d+:u:/.test(id);
}
