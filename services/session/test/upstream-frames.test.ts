/**
 * The border with an upstream (frames.ts): whatever an upstream sends — random JSON, random
 * text, the hostile frames of issue 15 — is parsed without a throw into an event, a reply or a
 * refusal, and an event that passes is one cqfleet can publish and store.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromUpstream } from '../src/upstream/events.js';
import { parseUpstreamEvent, parseUpstreamFrame } from '../src/upstream/frames.js';

const UIN = 30001;
const MAX = 64 * 1024;

/** Parse, and publish what passes, as the driver does. */
function handle(raw: string): string {
  const parsed = parseUpstreamFrame(raw, MAX);
  if (parsed.kind !== 'event') return parsed.kind;
  const out = fromUpstream(UIN, parsed.frame, raw);
  if (out) {
    expect(out.event.self_id).toBe(UIN);
    const e = out.event as unknown as Record<string, unknown>;
    for (const f of ['user_id', 'group_id', 'message_id', 'message_seq'])
      if (e[f] !== undefined) expect(Number.isSafeInteger(e[f])).toBe(true);
    if (e.post_type === 'message' || e.post_type === 'message_sent') {
      expect(Array.isArray(e.message)).toBe(true);
      expect(typeof e.raw_message).toBe('string');
    }
  }
  return 'event';
}

const message = (over: Record<string, unknown>) =>
  JSON.stringify({
    post_type: 'message',
    message_type: 'group',
    sub_type: 'normal',
    time: 1,
    group_id: 600600,
    user_id: 20001,
    message_id: 7,
    message: 'hi',
    ...over,
  });

describe('upstream frames', () => {
  it('refuses the frames that took a worker down, with their reason', () => {
    for (const raw of ['null', '[]', '"x"', '42', 'true'])
      expect(parseUpstreamFrame(raw, MAX)).toMatchObject({ kind: 'refused', reason: 'not_object' });
    expect(parseUpstreamFrame('{', MAX)).toMatchObject({ kind: 'refused', reason: 'not_json' });
    expect(parseUpstreamFrame(`"${'x'.repeat(MAX)}"`, MAX)).toMatchObject({
      reason: 'too_large',
    });
    const bad = [
      { post_type: 5 },
      { post_type: '' },
      { post_type: 'message', message_type: 'group', group_id: 1, message: { evil: 1 } },
      { post_type: 'message', message_type: 'channel', message: 'x' },
      { post_type: 'message', message_type: 'group', message: 'no group' },
      { post_type: 'message', message_type: 'group', group_id: [1], message: 'x' },
      { post_type: 'message', message_type: 'private', user_id: 1e300, message: 'x' },
      { post_type: 'message', message_type: 'private', message: [null] },
      { post_type: 'notice', notice_type: 'group_recall', group_id: { $gt: 0 } },
      { post_type: 'notice', time: 'yesterday' },
    ];
    for (const frame of bad)
      expect(parseUpstreamFrame(JSON.stringify(frame), MAX), JSON.stringify(frame)).toMatchObject({
        kind: 'refused',
        reason: 'bad_event',
      });
  });

  it('reads decimal-string ids as numbers and keeps what it does not read', () => {
    const parsed = parseUpstreamFrame(
      message({ group_id: '600600', user_id: '20001', message_id: '-5', napcat_only: { a: 1 } }),
      MAX,
    );
    expect(parsed).toMatchObject({
      kind: 'event',
      frame: { group_id: 600600, user_id: 20001, message_id: -5, napcat_only: { a: 1 } },
    });
  });

  it('takes replies (any object without post_type) with their echo', () => {
    expect(parseUpstreamFrame('{"status":"ok","retcode":0,"data":null,"echo":"e1"}', MAX)).toEqual({
      kind: 'reply',
      echo: 'e1',
      reply: { status: 'ok', retcode: 0, data: null, echo: 'e1' },
    });
    expect(parseUpstreamFrame('{"echo":{"a":1}}', MAX)).toMatchObject({ echo: undefined });
  });

  it('never throws on random JSON, random text, or random message events', () => {
    fc.assert(
      fc.property(fc.jsonValue(), v => {
        handle(JSON.stringify(v) ?? 'null');
      }),
      { numRuns: 2_000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), s => {
        handle(s);
      }),
      { numRuns: 2_000 },
    );
    const anything = fc.oneof(fc.jsonValue(), fc.constant(undefined));
    fc.assert(
      fc.property(
        fc.record({
          message_type: fc.oneof(fc.constantFrom('group', 'private'), anything),
          group_id: anything,
          user_id: anything,
          message_id: anything,
          message_seq: anything,
          message: fc.oneof(
            fc.string(),
            fc.array(fc.record({ type: fc.string(), data: anything })),
            anything,
          ),
          raw_message: anything,
          sender: anything,
        }),
        fields => {
          handle(message(fields));
          parseUpstreamEvent(fields);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
