/**
 * Sending to a WebSocket client that may not be reading (issue 15): what waits in the
 * gateway's memory for one connection is bounded. Before each frame, the bytes still queued
 * for the socket (`bufferedAmount`) are compared with GATEWAY_WS_MAX_BUFFERED_BYTES; past it,
 * the frame is dropped and the connection is closed 1008 "slow consumer" (counted), so one
 * connection holds at most the limit plus one frame. The close frame waits behind what is
 * queued; a peer that does not complete the close within CLOSE_GRACE_MS is cut off.
 */
import { sendInTurn } from '@cqfleet/runtime';
import type { WebSocket } from 'ws';
import { countRefusal } from '../refusals.js';

export const SLOW_CONSUMER_CODE = 1008;
export const SLOW_CONSUMER_REASON = 'slow consumer';
/** How long a slow consumer's socket may take to take the close frame. */
const CLOSE_GRACE_MS = 5_000;

/** Sends `data` unless the client is too far behind; false when not sent. */
export function sendBounded(
  ws: WebSocket,
  data: string | Uint8Array,
  maxBuffered: number,
): boolean {
  if (ws.readyState !== ws.OPEN) return false;
  if (ws.bufferedAmount > maxBuffered) {
    closeSlowConsumer(ws);
    return false;
  }
  sendInTurn(ws, data, { binary: false });
  return true;
}

function closeSlowConsumer(ws: WebSocket): void {
  countRefusal('slow_consumer');
  closeWithin(ws, SLOW_CONSUMER_CODE, SLOW_CONSUMER_REASON);
}

/**
 * Closes `ws`, and cuts it off if its peer has not completed the close within `graceMs`: a
 * peer that ignores the close frame would otherwise hold the socket for `ws`'s own 30 s.
 */
export function closeWithin(
  ws: WebSocket,
  code: number,
  reason: string,
  graceMs = CLOSE_GRACE_MS,
): void {
  ws.close(code, reason);
  setTimeout(() => ws.terminate(), graceMs).unref();
}
