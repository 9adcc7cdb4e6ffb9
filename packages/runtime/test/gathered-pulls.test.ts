import { streamSeq } from '../src/gathered-pulls.js';
import { describe, expect, it } from 'vitest';

describe('streamSeq', () => {
  it('reads the stream sequence of both ack subject forms', () => {
    expect(streamSeq('$JS.ACK.EVENTS.history.1.4711.12.1796463147560210312.3')).toBe(4711);
    expect(streamSeq('$JS.ACK.hub.ACCHASH.EVENTS.history.2.4712.13.1796463147560210312.0.r1')).toBe(
      4712,
    );
  });
});
