/**
 * Text frames relayed over core NATS whatever their size (the relay of reverse-WebSocket
 * upstreams, contracts/upstream-relay.ts). NATS refuses a message over the server's payload
 * limit (1 MiB by default) while a OneBot frame — a base64 image in `send_msg`, a long history
 * page — may be larger: such a frame is sent in parts, each marked `<index>/<count>`.
 */
import { RELAY_PART_HEADER } from '@cqfleet/contracts';
import { headers, type Msg } from '@nats-io/transport-node';
import { maxPayload, type NatsConnection } from './nats.js';

/** Room left under the payload limit for a part's headers. */
const HEADROOM = 1024;

/**
 * Publishes one text frame (as a string or its UTF-8 bytes, which a relay can pass on without
 * decoding), in parts when it is over the connection's payload limit.
 */
export function publishFrame(
  nc: NatsConnection,
  subject: string,
  frame: string | Uint8Array,
): void {
  const bytes = typeof frame === 'string' ? Buffer.from(frame, 'utf8') : frame;
  const max = maxPayload(nc) - HEADROOM;
  if (bytes.length <= max) {
    nc.publish(subject, bytes);
    return;
  }
  const count = Math.ceil(bytes.length / max);
  for (let i = 0; i < count; i++) {
    const h = headers();
    h.set(RELAY_PART_HEADER, `${i + 1}/${count}`);
    nc.publish(subject, bytes.subarray(i * max, (i + 1) * max), { headers: h });
  }
}

/**
 * Joins the parts of frames published on one subject by {@link publishFrame}. A frame whose
 * parts do not arrive in order (a part lost while NATS reconnected) is dropped whole.
 */
export class FrameJoiner {
  private parts: Uint8Array[] = [];

  /** The whole frame's UTF-8 bytes when `msg` completes one; undefined while parts are missing. */
  push(msg: Msg): Uint8Array | undefined {
    const part = msg.headers?.get(RELAY_PART_HEADER);
    if (!part) {
      this.parts = [];
      return msg.data;
    }
    const [index, count] = part.split('/').map(Number);
    if (index === 1) this.parts = [];
    if (index !== this.parts.length + 1 || count === undefined) {
      this.parts = [];
      return undefined;
    }
    this.parts.push(msg.data);
    if (index < count) return undefined;
    const whole = Buffer.concat(this.parts);
    this.parts = [];
    return whole;
  }
}
