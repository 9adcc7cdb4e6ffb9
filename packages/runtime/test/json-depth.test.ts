/**
 * jsonDeeperThan / jsonShapeProblem: nesting and values counted outside strings only, escapes
 * honoured, any text total.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  jsonDeeperThan,
  jsonShapeProblem,
  MAX_JSON_DEPTH,
  MAX_JSON_VALUES,
} from '@cqfleet/runtime';

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('jsonDeeperThan', () => {
  it('counts arrays and objects inside one another, up to the limit', () => {
    expect(jsonDeeperThan(nested(MAX_JSON_DEPTH))).toBe(false);
    expect(jsonDeeperThan(nested(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(jsonDeeperThan('{"a":{"b":[1,{"c":2}]}}', 3)).toBe(true);
    expect(jsonDeeperThan('{"a":{"b":[1,{"c":2}]}}', 4)).toBe(false);
    // Siblings do not add up.
    expect(jsonDeeperThan(`[${Array(1000).fill('[]').join(',')}]`, 2)).toBe(false);
  });

  it('does not count brackets in strings, escaped quotes included', () => {
    expect(jsonDeeperThan(JSON.stringify({ t: '[[[[{{{{' }), 1)).toBe(false);
    expect(jsonDeeperThan(JSON.stringify({ t: 'say "[[[[" \\' }), 1)).toBe(false);
    expect(jsonDeeperThan(`{"t":"\\"","u":[[]]}`, 2)).toBe(true);
  });

  it('agrees with the real depth of any JSON value', () => {
    const depth = (v: unknown): number =>
      typeof v === 'object' && v !== null
        ? 1 + Math.max(0, ...Object.values(v as object).map(depth))
        : 0;
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 9 }), (v, max) => {
        expect(jsonDeeperThan(JSON.stringify(v) ?? 'null', max)).toBe(depth(v) > max);
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('jsonShapeProblem', () => {
  it('counts arrays, objects and members, not what strings hold', () => {
    // One per array or object opened, one per comma between members.
    expect(jsonShapeProblem('[1,2,3]', 64, 3)).toBeUndefined();
    expect(jsonShapeProblem('[1,2,3]', 64, 2)).toBe('too_many_values');
    expect(jsonShapeProblem('[{},{},{}]', 64, 6)).toBeUndefined();
    expect(jsonShapeProblem('[{},{},{}]', 64, 5)).toBe('too_many_values');
    expect(jsonShapeProblem(JSON.stringify({ t: ',,,,[{"\\' }), 64, 1)).toBeUndefined();
    expect(jsonShapeProblem('[[[]]]', 2, 100)).toBe('too_deep');
  });

  it('refuses a text of millions of tiny objects that a byte bound lets through', () => {
    const many = `[${'{},'.repeat(MAX_JSON_VALUES)}{}]`;
    expect(many.length).toBeLessThan(4 * 1024 * 1024);
    expect(jsonShapeProblem(many)).toBe('too_many_values');
    expect(jsonShapeProblem(`[${'{},'.repeat(60_000)}{}]`)).toBeUndefined();
  });
});
