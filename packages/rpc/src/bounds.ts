/**
 * What a call between cqfleet services must fit in: one gRPC message, and a deadline that lets
 * the answer arrive before the caller stops waiting.
 *
 * Message size. grpc-js ends the WHOLE call with RESOURCE_EXHAUSTED when one message it is
 * asked to send is over `grpc.max_send_message_length`; on the multiplexed action stream that
 * call carries every tenant's actions to one worker, so one oversized reply (an upstream's
 * answer, a big history page) would fail all of them. A reply that would not fit is therefore
 * answered as that call's own failure instead of being written.
 *
 * Deadlines. The caller waits `waitMs` for an answer; the owner is told a deadline a margin
 * shorter, so its own TIMEOUT answer (the action was slow) reaches the caller before the
 * caller's timer says the owner is unreachable.
 */
import { type FailedResponse, OneBotError, toFailure } from '@cqfleet/onebot';
import { CHANNEL_OPTIONS } from '@cqfleet/runtime';

/**
 * The largest message both ends accept: the sender's `max_send` and the receiver's
 * `max_receive` (servers use the same channel options, runtime grpc.ts).
 */
export const MAX_MESSAGE_BYTES = Math.min(
  Number(CHANNEL_OPTIONS['grpc.max_send_message_length']),
  Number(CHANNEL_OPTIONS['grpc.max_receive_message_length']),
);

/**
 * Room for what a reply or request carries besides its byte and string fields: field tags,
 * length prefixes (≤ 5 bytes each) and scalars (call id, retcode, fence: ≤ 11 bytes each)
 * take well under 100 bytes; 1 KiB leaves the estimate safely above the encoded size.
 */
const ENVELOPE_BYTES = 1_024;

/** True when a message whose variable fields are `parts` encodes within MAX_MESSAGE_BYTES. */
export function fitsMessage(...parts: Array<Uint8Array | string>): boolean {
  let bytes = ENVELOPE_BYTES;
  for (const p of parts) bytes += typeof p === 'string' ? Buffer.byteLength(p) : p.length;
  return bytes <= MAX_MESSAGE_BYTES;
}

/** The failure a result too large to travel between services is answered with. */
export function resultTooLarge(bytes: number): OneBotError {
  return new OneBotError(
    'RESULT_TOO_LARGE',
    `结果大小 ${bytes} 字节, 超过服务间单条消息上限 ${MAX_MESSAGE_BYTES} 字节, 无法返回`,
  );
}

/**
 * `f`, or the too-large failure when its text would not fit: an upstream's failure keeps the
 * upstream's own wording, of any length.
 */
export function fittingFailure(f: FailedResponse): FailedResponse {
  if (fitsMessage(f.msg, f.wording)) return f;
  return toFailure(resultTooLarge(Buffer.byteLength(f.msg) + Buffer.byteLength(f.wording)));
}

/** The failure a request too large to be sent to its owner is answered with. */
export function requestTooLarge(bytes: number): OneBotError {
  return new OneBotError(
    'REQUEST_TOO_LARGE',
    `请求大小 ${bytes} 字节, 超过服务间单条消息上限 ${MAX_MESSAGE_BYTES} 字节`,
  );
}

/**
 * How much sooner than the caller's wait the owner's deadline is: time for the owner's TIMEOUT
 * answer to be written, cross the network and be read. The answer is a few hundred bytes; one
 * second leaves room for event-loop lag on a busy worker and a busy gateway.
 */
const ANSWER_MARGIN_MS = 1_000;
/** A short wait keeps most of itself for the work: the margin is at most a fifth of it. */
const ANSWER_MARGIN_SHARE = 0.2;

/** The deadline to give the owner when the caller waits `waitMs` for its answer. */
export function ownerDeadlineMs(waitMs: number): number {
  return Math.max(1, Math.floor(waitMs - Math.min(ANSWER_MARGIN_MS, waitMs * ANSWER_MARGIN_SHARE)));
}
