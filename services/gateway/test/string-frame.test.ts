/**
 * The `string`-format frame spliced from a message event's bytes (events/string-frame.ts) is
 * byte for byte the frame the parsing path builds, for any event the session could publish;
 * bytes it cannot splice safely give undefined (the caller then parses), never a wrong frame.
 */
import { type OneBotEvent, toCQString } from '@cqfleet/onebot';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringFormatFrame } from '../src/events/string-frame.js';
import { eventView } from '../src/events/view.js';

const parsingPath = (bytes: Buffer) =>
  JSON.stringify(eventView(JSON.parse(bytes.toString('utf8')) as OneBotEvent, 'string')) + '\n';

/** Text that stresses the scanner: quotes, backslashes, brackets, CQ escapes, any Unicode. */
const nasty = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom('"', '\\', '\\"', '}', ']', '{"message":[', '[CQ:at,qq=1]', '&#91;', '末', '😀'),
  fc.string({ unit: fc.constantFrom('"', '\\', '{', '}', '[', ']', ',', ':', 'a', '末') }),
);

const segment = fc.oneof(
  fc.record({ type: fc.constant('text'), data: fc.record({ text: nasty }) }),
  fc.record({ type: fc.constant('face'), data: fc.record({ id: fc.nat().map(String) }) }),
  fc.record({ type: fc.constant('at'), data: fc.record({ qq: fc.nat().map(String) }) }),
  fc.record({
    type: fc.constant('json'),
    data: fc.record({ data: fc.json() }),
  }),
);

const messageEvent = fc
  .record({
    post_type: fc.constantFrom('message', 'message_sent'),
    message_type: fc.constantFrom('group', 'private'),
    time: fc.nat(),
    self_id: fc.nat(),
    message_id: fc.integer(),
    user_id: fc.nat(),
    message: fc.array(segment, { maxLength: 6 }),
    font: fc.nat(),
    sender: fc.record({ user_id: fc.nat(), nickname: nasty, card: nasty }),
    anonymous: fc.constant(null),
    extra: fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }),
  })
  .map(e => ({ ...e, raw_message: toCQString(e.message as never), message_format: 'array' }));

/** The same keys in another order: the splice must not depend on the session's key order. */
const shuffled = fc
  .tuple(messageEvent, fc.nat())
  .map(([e, seed]) =>
    Object.fromEntries(
      Object.entries(e).sort(
        ([a], [b]) => ((a.charCodeAt(0) * 31 + seed) % 17) - ((b.charCodeAt(0) * 31 + seed) % 17),
      ),
    ),
  );

describe('string-format frame', () => {
  it('equals the parsing path for any message event, in any key order', () => {
    fc.assert(
      fc.property(fc.oneof(messageEvent, shuffled), e => {
        const bytes = Buffer.from(JSON.stringify(e));
        expect(stringFormatFrame(bytes)?.toString('utf8')).toBe(parsingPath(bytes));
      }),
      { numRuns: 500 },
    );
  });

  it('a view of part of a larger buffer (a NATS read) is spliced from its own bytes', () => {
    const e = {
      message: [{ type: 'text', data: { text: 'hi' } }],
      raw_message: 'hi',
      message_format: 'array',
    };
    const big = Buffer.from(`xx${JSON.stringify(e)}yy`);
    const view = new Uint8Array(big.buffer, big.byteOffset + 2, big.length - 4);
    expect(stringFormatFrame(view)?.toString()).toBe(
      '{"message":"hi","raw_message":"hi","message_format":"string"}\n',
    );
  });

  it('gives undefined for what it cannot splice safely, never a wrong frame', () => {
    const cases = [
      '',
      '[]',
      'null',
      '{"message":[],"message_format":"array"}', // no raw_message
      '{"message":[],"raw_message":1,"message_format":"array"}', // raw_message not a string
      '{"message":[],"raw_message":"a","message_format":"array"', // cut short
      '{"message":[],"raw_message":"a","message_format":"array"}x', // trailing bytes
      '{"message":[],"raw_message":"a","raw_message":"b","message_format":"array"}', // repeated key
      '{"mess\\u0061ge":[],"raw_message":"a","message_format":"array"}', // escaped key
      '{"message":["unterminated],"raw_message":"a","message_format":"array"}',
    ];
    for (const c of cases) expect(stringFormatFrame(Buffer.from(c))).toBeUndefined();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), bytes => {
        const out = stringFormatFrame(bytes);
        if (out !== undefined) expect(out.toString()).toBe(parsingPath(Buffer.from(bytes)));
      }),
    );
  });
});
