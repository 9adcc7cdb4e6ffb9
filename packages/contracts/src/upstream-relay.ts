/**
 * The relay of a reverse-WebSocket upstream (an account with `driver: 'onebot'`, `mode:
 * 'reverse'`): the upstream implementation connects to whichever gateway replica the load
 * balancer picks, while the account is owned by one session worker somewhere else. The gateway
 * holding the socket and the owning worker speak over core NATS, on subjects of
 * `Namespace.upstreamSubject(uin, kind, conn)`:
 *
 * | kind     | from → to        | body                                                   |
 * | `opened` | gateway → all    | {@link RelayHello}: a socket for the account was accepted |
 * | `hello`  | worker → gateway | request; the gateway holding a socket answers {@link RelayHello} |
 * | `attach` | worker → gateway | request (`.attach.<conn>`) once subscribed to the socket's frames: the gateway sends the event frames of the last moments again on `in`, then answers |
 * | `in`     | gateway → worker | one text frame the upstream sent (`.in.<conn>`)         |
 * | `out`    | worker → gateway | one text frame for the upstream (`.out.<conn>`)         |
 * | `closed` | gateway → worker | the socket `<conn>` closed (`.closed.<conn>`); body: reason |
 *
 * Contracts:
 * - One socket per account: a gateway that accepts a new one announces it on `opened`, and the
 *   replica holding an older one closes it (the upstream reconnected elsewhere).
 * - A frame larger than the NATS payload limit travels in parts, each with the
 *   {@link RELAY_PART_HEADER} `<index>/<count>`; a subscriber joins them in order (one
 *   publisher's messages on one subject arrive in order).
 * - The worker asks `hello` again every few seconds; no answer (a gateway that died without
 *   saying `closed`) or another conn means the link is gone.
 * - A replayed event may have been published already (by the previous owner, or before an
 *   outage): the event stream drops it, its id being a digest of the frame.
 */

/** The gateway's WebSocket path an upstream connects to (on the forward-WS port). */
export const RELAY_PATH = '/upstream';

/** `<index>/<count>` of a frame sent in parts; absent on a frame sent whole. */
export const RELAY_PART_HEADER = 'Cqfleet-Part';

/** Which socket carries an account's upstream, and which gateway replica holds it. */
export interface RelayHello {
  conn: string;
  replica: string;
}

export type RelayKind = 'opened' | 'hello' | 'attach' | 'in' | 'out' | 'closed';
