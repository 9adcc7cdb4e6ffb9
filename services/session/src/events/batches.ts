/**
 * How an account's queued events are cut into stream messages (the format is contracts'
 * bus.ts): pure functions of the queue, so the pipeline (event-pipeline.ts) keeps only the
 * publishing, the acks and the recovery.
 */
import { batchableEventId, isUpstreamEventId } from '@cqfleet/contracts';
import type { OneBotEvent } from '@cqfleet/onebot';

/** Most events in one stream message. */
export const MAX_BATCH = 64;
/** Most body characters (UTF-16 units) in one batch: at most 768 KB of UTF-8, under NATS's 1 MB. */
const MAX_BATCH_CHARS = 256 * 1024;
/** Room kept for a message's headers (ids, fence) under the payload limit. */
const HEADER_ROOM = 4 * 1024;

export interface PipelineItem<P> {
  id: string;
  event: OneBotEvent;
  /** Opaque position reported back through onPublished (the driver cursor). */
  position?: P;
  /** Resolved when the event is in the stream. */
  done?: (err?: Error) => void;
  /** Began a message that was sent: a batch taken again after a failure starts here. */
  lead?: boolean;
  /** The length of the frame it came from, for the backlog's bound (`EventPipeline.offer`). */
  bytes?: number;
}

/**
 * Events whose id can be listed in a batch's header travel in batches; an upstream's go
 * alone: during a hand-over two connections may see the same frame, and only a message of
 * its own lets the stream drop the second copy (upstream/events.ts).
 */
export function batchable(item: PipelineItem<unknown>): boolean {
  return batchableEventId(item.id) && !isUpstreamEventId(item.id);
}

/**
 * Takes the next message's events off the front of `queue` (not empty): a run of batchable
 * events of one post_type, all with a position or all without, up to {@link MAX_BATCH} and
 * never past an event that began a message before (`lead`); or one event.
 */
export function takeBatch<P>(queue: PipelineItem<P>[]): PipelineItem<P>[] {
  const first = queue.shift()!;
  const batch = [first];
  if (!batchable(first)) return batch;
  const postType = first.event.post_type;
  const positioned = first.position !== undefined;
  while (batch.length < MAX_BATCH && queue.length > 0) {
    const next = queue[0]!;
    if (
      next.lead ||
      !batchable(next) ||
      next.event.post_type !== postType ||
      (next.position !== undefined) !== positioned
    )
      break;
    batch.push(queue.shift()!);
  }
  return batch;
}

/**
 * The body of a message of `items`' events, one JSON per line. `count` says how many fit
 * under the size limit (at least the first; the rest go back to the queue), which keeps a
 * batch within `maxPayload` (NATS's); a first event that alone is larger than that leaves
 * room for is {@link TooLarge}. A total function: an event that cannot be serialised ends the
 * batch before it (it comes first in the next one), and a first one is {@link Unserialisable}.
 */
export function batchBody(
  items: PipelineItem<unknown>[],
  maxPayload: number,
): { body: Buffer; count: number } | TooLarge | Unserialisable {
  // A UTF-16 unit is at most 3 bytes of UTF-8: a batch under this many fits the payload.
  const maxChars = Math.min(MAX_BATCH_CHARS, Math.floor((maxPayload - HEADER_ROOM) / 3));
  const first = serialise(items[0]!.event);
  if (first instanceof Unserialisable) return first;
  let text = first;
  let count = 1;
  for (; count < items.length; count++) {
    const line = serialise(items[count]!.event);
    if (line instanceof Unserialisable || text.length + line.length >= maxChars) break;
    text += `\n${line}`;
  }
  const body = Buffer.from(text);
  if (count === 1 && body.length > maxPayload - HEADER_ROOM) return new TooLarge(body.length);
  return { body, count };
}

/**
 * One event's JSON. What a source sent is checked at its border (a frame's depth among the
 * rest), but an event that still cannot be serialised (a BigInt, a cycle, a nesting that
 * overflows the stack) must cost only itself, never the events batched with it.
 */
function serialise(event: OneBotEvent): string | Unserialisable {
  try {
    const text = JSON.stringify(event) as string | undefined;
    return typeof text === 'string' ? text : new Unserialisable('no JSON value');
  } catch (err) {
    return new Unserialisable(err instanceof Error ? err.message : String(err));
  }
}

/**
 * An event that alone is larger than the bus takes: it can never be published, so it is
 * dropped (logged and counted) instead of blocking the account's events behind it forever.
 */
export class TooLarge extends Error {
  constructor(readonly bytes: number) {
    super(`event of ${bytes} bytes is larger than the bus takes`);
  }
}

/** An event JSON.stringify fails on: it can never be published, so it is dropped like TooLarge. */
export class Unserialisable extends Error {
  constructor(readonly reason: string) {
    super(`event cannot be serialised: ${reason}`);
  }
}
