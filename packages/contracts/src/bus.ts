/**
 * How events travel on NATS. The message body is the OneBot event JSON in go-cqhttp's shape
 * with `message` as a segment array; everything else rides in headers.
 */

/**
 * The stable event id, also used as `Nats-Msg-Id` so that JetStream drops a second publish of
 * the same event (a worker that takes an account over re-publishes from its cursor).
 */
export const EVENT_ID_HEADER = 'Cqfleet-Event-Id';

/** Event ids: `<self_id>:<source>:<n>`, unique per account and stable across re-publishes. */
export function driverEventId(selfId: number, driverSeq: number): string {
  return `${selfId}:d:${driverSeq}`;
}

/** Id of the `message_sent` event for a message the account sent itself. */
export function sentEventId(selfId: number, chat: 'g' | 'p', chatId: number, seq: number): string {
  return `${selfId}:s:${chat}${chatId}:${seq}`;
}
