/**
 * One header of a NATS message, read from the message's raw header block.
 *
 * The first read of `msg.headers` makes nats.js decode the whole block into its
 * general-purpose header object: each name canonicalised character by character, each value
 * checked, a Map of arrays. For an event that is about 3 KB of garbage, a third of everything
 * the gateway allocated per event (bench/README.md, sixth session), to read the one header the
 * event consumers need (`Cqfleet-Event-Id`).
 *
 * The block is in nats.js's core message (`MsgImpl`: the bytes `_rdata`, of which the first
 * `_msg.hdr` are the headers; a JetStream message wraps one as `msg`). Where those fields are
 * not there (another implementation, a later nats.js) this reads `msg.headers` instead, so the
 * answer is the same either way; `test/nats-headers.int.test.ts` checks that the raw path is
 * the one taken with the nats.js in use.
 */
import type { MsgHdrs } from '@nats-io/transport-node';

/** A core NATS message, or a JetStream message wrapping one as `msg`. */
export interface WithHeaders {
  readonly headers?: MsgHdrs;
  readonly msg?: unknown;
}

/** The fields of nats.js's core message read here. */
interface RawMsg {
  _rdata?: unknown;
  _msg?: { hdr?: unknown };
}

const utf8 = new TextDecoder();
const CRLF = '\r\n';

/** The header block's text ('' without headers), or undefined when it cannot be read raw. */
export function rawHeaderBlock(m: WithHeaders): string | undefined {
  const core = (m.msg ?? m) as RawMsg;
  const hdr = core._msg?.hdr;
  const data = core._rdata;
  if (typeof hdr !== 'number' || !(data instanceof Uint8Array)) return undefined;
  return hdr > 0 ? utf8.decode(data.subarray(0, Math.min(hdr, data.length))) : '';
}

/**
 * The first value of header `name` (matched exactly, as `headers.get` does); undefined when the
 * message has no such header or it is empty.
 */
export function headerValue(m: WithHeaders, name: string): string | undefined {
  const block = rawHeaderBlock(m);
  if (block === undefined) return m.headers?.get(name) || undefined;
  const at = block.indexOf(`${CRLF}${name}:`);
  if (at < 0) return undefined;
  const from = at + CRLF.length + name.length + 1;
  const end = block.indexOf(CRLF, from);
  return block.slice(from, end < 0 ? undefined : end).trim() || undefined;
}
