import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeSegments, parseCQ, stringifyCQ, type Segment } from '@cqfleet/onebot';

// Characters that matter to the codec, mixed with arbitrary unicode.
const tricky = fc.constantFrom(
  '[',
  ']',
  ',',
  '=',
  '&',
  '&#91;',
  '&#93;',
  '&#44;',
  '&amp;',
  '[CQ:',
  'CQ',
  ':',
);
const textChunk = fc
  .array(fc.oneof(tricky, fc.string({ unit: 'grapheme', maxLength: 4 })), { maxLength: 8 })
  .map(a => a.join(''));
const typeName = fc.stringMatching(/^[a-z][a-z_]{0,9}$/);
const key = fc.stringMatching(/^[a-z][a-z_0-9]{0,7}$/);

const codeSegment: fc.Arbitrary<Segment> = fc
  .tuple(
    typeName.filter(n => n !== 'text'),
    fc.dictionary(key, textChunk, { maxKeys: 4 }),
  )
  .map(([type, data]) => ({ type, data }));
const textSegment: fc.Arbitrary<Segment> = textChunk.map(text => ({
  type: 'text',
  data: { text },
}));
const segments = fc
  .array(fc.oneof(codeSegment, textSegment), { maxLength: 8 })
  .map(normalizeSegments);

describe('cqcode - properties', () => {
  it('parse(stringify(segments)) returns the same segments', () => {
    fc.assert(
      fc.property(segments, segs => {
        expect(parseCQ(stringifyCQ(segs))).toEqual(segs);
      }),
      { numRuns: 2000 },
    );
  });

  it('stringify(parse(x)) round-trips any string the codec wrote', () => {
    fc.assert(
      fc.property(segments, segs => {
        const wire = stringifyCQ(segs);
        expect(stringifyCQ(parseCQ(wire))).toBe(wire);
      }),
      { numRuns: 2000 },
    );
  });

  it('parse never throws and its output is a fixed point', () => {
    const anyInput = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc
        .array(fc.oneof(tricky, fc.string({ maxLength: 3 })), { maxLength: 30 })
        .map(a => a.join('')),
    );
    fc.assert(
      fc.property(anyInput, input => {
        const once = stringifyCQ(parseCQ(input));
        expect(stringifyCQ(parseCQ(once))).toBe(once);
      }),
      { numRuns: 5000 },
    );
  });
});
