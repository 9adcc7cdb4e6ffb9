/** How queued events are cut into stream messages (src/events/batches.ts). */
import type { OneBotEvent } from '@cqfleet/onebot';
import { describe, expect, it } from 'vitest';
import {
  batchBody,
  MAX_BATCH,
  type PipelineItem,
  takeBatch,
  TooLarge,
  Unserialisable,
} from '../src/events/batches.js';

const item = (
  id: string,
  postType = 'message',
  position?: number,
  extra: Record<string, unknown> = {},
): PipelineItem<number> => ({
  id,
  event: { post_type: postType, self_id: 1, time: 1, ...extra } as unknown as OneBotEvent,
  position,
});

const ids = (items: PipelineItem<number>[]) => items.map(i => i.id);

describe('takeBatch', () => {
  it('takes a run of one post_type, all positioned or none, and leaves the rest queued', () => {
    const queue = [
      item('1:d:e:1', 'message', 1),
      item('1:d:e:2', 'message', 2),
      item('1:s:g:5:1', 'message'), // no position: not with driver events
      item('1:s:g:5:2', 'message'),
      item('1:d:e:3', 'notice', 3),
    ];
    expect(ids(takeBatch(queue))).toEqual(['1:d:e:1', '1:d:e:2']);
    expect(ids(takeBatch(queue))).toEqual(['1:s:g:5:1', '1:s:g:5:2']);
    expect(ids(takeBatch(queue))).toEqual(['1:d:e:3']);
    expect(queue).toEqual([]);
  });

  it('an upstream event goes alone, and a batch stops at an event that began a message', () => {
    const queue = [item('1:u:abc'), item('1:d:e:1', 'message', 1), item('1:d:e:2', 'message', 2)];
    queue[2]!.lead = true;
    expect(ids(takeBatch(queue))).toEqual(['1:u:abc']);
    expect(ids(takeBatch(queue))).toEqual(['1:d:e:1']);
    expect(ids(takeBatch(queue))).toEqual(['1:d:e:2']);
  });

  it(`takes at most ${MAX_BATCH}`, () => {
    const queue = Array.from({ length: MAX_BATCH + 3 }, (_, n) => item(`1:d:e:${n}`, 'message', n));
    expect(takeBatch(queue)).toHaveLength(MAX_BATCH);
    expect(queue).toHaveLength(3);
  });
});

describe('batchBody', () => {
  it('is one JSON per line, as many as fit under the size limit', () => {
    const small = [item('a', 'message', 1, { n: 1 }), item('b', 'message', 2, { n: 2 })];
    const cut = batchBody(small, 1024 * 1024);
    if (cut instanceof Error) throw cut;
    expect(cut.count).toBe(2);
    expect(
      cut.body
        .toString()
        .split('\n')
        .map(l => (JSON.parse(l) as { n: number }).n),
    ).toEqual([1, 2]);

    const big = Array.from({ length: 4 }, (_, n) =>
      item(`${n}`, 'message', n, { text: 'x'.repeat(100_000) }),
    );
    const partial = batchBody(big, 1024 * 1024);
    if (partial instanceof Error) throw partial;
    expect(partial.count).toBe(2); // 256 K characters at the most
  });

  it('keeps a batch within a smaller payload limit too', () => {
    const events = Array.from({ length: 4 }, (_, n) =>
      item(`${n}`, 'message', n, { text: '字'.repeat(8_000) }),
    );
    const cut = batchBody(events, 64 * 1024);
    if (cut instanceof Error) throw cut;
    expect(cut.count).toBe(2);
    expect(cut.body.length).toBeLessThan(64 * 1024 - 4 * 1024);
  });

  it('an event that alone is over the payload limit is TooLarge', () => {
    const cut = batchBody([item('a', 'message', 1, { text: 'x'.repeat(2_000) })], 4 * 1024 + 1_000);
    expect(cut).toBeInstanceOf(TooLarge);
    expect((cut as TooLarge).bytes).toBeGreaterThan(2_000);
  });

  it('an event JSON.stringify fails on ends the batch before it, and alone is Unserialisable', () => {
    const events = [0, 1, 2, 3].map(n => item(`${n}`, 'message', n));
    events[2]!.event = { ...events[2]!.event, big: 1n } as unknown as OneBotEvent;
    const cut = batchBody(events, 1024 * 1024);
    if (cut instanceof Error) throw cut;
    expect(cut.count).toBe(2);
    expect(cut.body.toString().split('\n')).toHaveLength(2);
    const alone = batchBody(events.slice(2), 1024 * 1024);
    expect(alone).toBeInstanceOf(Unserialisable);
    expect((alone as Unserialisable).reason).toMatch(/BigInt/);
  });
});
