/**
 * The parameter parser against hostile input (issue 15): for every action of the table, any
 * value a client can send — random JSON, the adversarial values below, in any field the action
 * names — is either parsed or refused with INVALID_PARAMS naming a field. Nothing else is
 * thrown, and what parses has the declared types.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { actions, type ActionName, isOneBotError, parseParams, toSegments } from '@cqfleet/onebot';

const NAMES = Object.keys(actions) as ActionName[];

const adversarial = fc.constantFrom<unknown>(
  null,
  '',
  ' ',
  '0',
  '-1',
  '1e309',
  'NaN',
  '99999999999999999999999',
  '0x10',
  '[CQ:image,file=file:///etc/passwd]',
  '[CQ:',
  '&#91;',
  '\u0000',
  '__proto__',
  { __proto__: { polluted: true } },
  JSON.parse('{"__proto__":{"polluted":true}}') as unknown,
  { constructor: { prototype: { polluted: true } } },
  [],
  [[[[[]]]]],
  [{ type: 'text' }],
  [{ type: 'image', data: null }],
  [{ type: 42, data: {} }],
  [null, 1, 'x'],
  Number.MAX_SAFE_INTEGER + 2,
  -0,
  Infinity,
  true,
  'x'.repeat(10_000),
);

const value = fc.oneof(adversarial, fc.jsonValue({ maxDepth: 4 }));

/** The fields of an action's schema, to aim values at them (plus a few it does not name). */
function fieldsOf(name: ActionName): string[] {
  const schema = actions[name].params as { shape?: Record<string, unknown> };
  return [...Object.keys(schema.shape ?? {}), 'self_id', 'echo', 'extra'];
}

function parse(name: ActionName, raw: unknown): void {
  try {
    parseParams(name, raw);
  } catch (err) {
    expect(isOneBotError(err), `${name}: ${String(err)}`).toBe(true);
    expect((err as { msg: string }).msg).toBe('INVALID_PARAMS');
  }
}

describe('action parameters - properties', () => {
  it('every action parses or refuses with INVALID_PARAMS, whatever its fields hold', () => {
    const params = fc
      .constantFrom(...NAMES)
      .chain(name =>
        fc.tuple(
          fc.constant(name),
          fc.dictionary(fc.constantFrom(...fieldsOf(name)), value, { maxKeys: 6 }),
        ),
      );
    fc.assert(
      fc.property(params, ([name, raw]) => parse(name, raw)),
      { numRuns: 5_000 },
    );
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('parameters that are not an object are refused, not thrown', () => {
    for (const name of NAMES)
      for (const raw of [null, undefined, 42, 'x', [], true]) parse(name, raw);
  });

  it('messages in any shape become segments without a throw', () => {
    fc.assert(
      fc.property(fc.oneof(value, fc.string()), fc.boolean(), (message, autoEscape) => {
        const segments = toSegments(message as never, autoEscape);
        for (const s of segments) {
          expect(typeof s.type).toBe('string');
          for (const v of Object.values(s.data)) expect(typeof v).toBe('string');
        }
      }),
      { numRuns: 3_000 },
    );
  });
});
