import { describe, expect, it } from 'vitest';
import { RecentEvents } from '../src/upstream/recent-events.js';

const frame = (o: object) => Buffer.from(JSON.stringify(o));
const event = (n: number) => frame({ post_type: 'message', message_id: n, raw_message: 'x' });

describe('the recent events of a relayed upstream', () => {
  it('keeps events only — not replies, not meta events — oldest first', () => {
    const recent = new RecentEvents();
    recent.note(event(1), 0);
    recent.note(frame({ status: 'ok', retcode: 0, data: null, echo: 'e1' }), 0);
    recent.note(frame({ post_type: 'meta_event', meta_event_type: 'heartbeat' }), 0);
    recent.note(event(2), 0);
    expect(recent.recent(0).map(b => JSON.parse(b.toString()).message_id)).toEqual([1, 2]);
  });

  it('forgets what is older than the window, and the oldest past the byte cap', () => {
    const byAge = new RecentEvents(1_000, 1 << 20);
    byAge.note(event(1), 0);
    byAge.note(event(2), 900);
    expect(byAge.recent(1_500).map(b => JSON.parse(b.toString()).message_id)).toEqual([2]);

    const size = event(1).length;
    const byBytes = new RecentEvents(60_000, size * 2);
    for (let n = 1; n <= 5; n++) byBytes.note(event(n), 0);
    expect(byBytes.recent(0).map(b => JSON.parse(b.toString()).message_id)).toEqual([4, 5]);
  });

  it('holds a copy, not the socket’s buffer', () => {
    const recent = new RecentEvents();
    const buf = event(7);
    recent.note(buf, 0);
    buf.fill(0);
    expect(JSON.parse(recent.recent(0)[0]!.toString()).message_id).toBe(7);
  });
});
