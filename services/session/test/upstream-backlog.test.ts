/**
 * The backlog of events an upstream pushes is bounded per account (EventPipeline.offer): while
 * the stream does not take them, events past the count or byte bound are refused rather than
 * held, and once the backlog is published there is room again.
 */
import { Namespace } from '@cqfleet/contracts';
import type { OneBotEvent } from '@cqfleet/onebot';
import { createLogger, type StreamAck, type StreamPublisher } from '@cqfleet/runtime';
import { describe, expect, it } from 'vitest';
import { EventPipeline } from '../src/events/event-pipeline.js';

/** A stream that takes nothing until `release()`, then acks every publish. */
function stalledStream() {
  let release = () => undefined as void;
  const released = new Promise<void>(r => (release = r));
  let seq = 0;
  const publisher = {
    maxPayload: 1024 * 1024,
    publish: async (): Promise<StreamAck> => {
      await released;
      return { seq: ++seq, duplicate: false } as StreamAck;
    },
  } as unknown as StreamPublisher;
  return { publisher, release };
}

const event = (n: number) =>
  ({ post_type: 'notice', notice_type: 'x', self_id: 1, time: 1, n }) as unknown as OneBotEvent;

function pipeline(publisher: StreamPublisher) {
  return new EventPipeline<number>(
    publisher,
    new Namespace('backlog'),
    1,
    createLogger('test', 'silent'),
    () => undefined,
    { value: 1, holds: () => true },
    async () => [],
  );
}

describe('the upstream backlog', () => {
  it('refuses events past the count bound while the stream is stalled, then takes them again', async () => {
    const { publisher, release } = stalledStream();
    const p = pipeline(publisher);
    const limit = { events: 100, bytes: 1024 ** 3 };
    let taken = 0;
    for (let n = 0; n < 1_000; n++)
      if (p.offer({ id: `1:u:${n}`, event: event(n) }, limit)) taken++;
    expect(taken).toBe(100);
    expect(p.pending).toBe(100);
    release();
    await p.drained();
    expect(p.offer({ id: '1:u:after', event: event(0) }, limit)).toBe(true);
    await p.drained();
    expect(p.published).toBe(101);
  });

  it('refuses events past the byte bound, counting the frames they came in', async () => {
    const { publisher, release } = stalledStream();
    const p = pipeline(publisher);
    const limit = { events: 1_000_000, bytes: 10 * 1024 * 1024 };
    const big = 1024 * 1024;
    let taken = 0;
    for (let n = 0; n < 50; n++)
      if (p.offer({ id: `1:u:${n}`, event: event(n), bytes: big }, limit)) taken++;
    expect(taken).toBe(10);
    release();
    await p.drained();
    // Published frames leave the backlog.
    expect(p.offer({ id: '1:u:again', event: event(0), bytes: big }, limit)).toBe(true);
    p.stop();
  });
});
