import { describe, expect, it } from 'vitest';
import { compileFilter, FilterError, getPath, stringForm } from '../src/events/filter.js';

const event = {
  post_type: 'message',
  message_type: 'group',
  group_id: 100100,
  user_id: 20001,
  raw_message: 'hello bot',
  anonymous: null,
  sender: { sex: 'female', card: '' },
  message: [{ type: 'text', data: { text: 'hello bot' } }],
};

describe('event filter', () => {
  it.each<[string, unknown, boolean]>([
    ['empty filter passes everything', {}, true],
    ['implicit .eq on a field', { post_type: 'message' }, true],
    ['.eq compares string forms', { group_id: '100100' }, true],
    [
      'null, missing and "" are equal',
      { anonymous: '', missing: { '.eq': null }, 'sender.card': null },
      true,
    ],
    ['nested path', { 'sender.sex': 'female' }, true],
    ['array index in a path', { 'message.0.type': 'text' }, true],
    ['.neq', { user_id: { '.neq': 20001 } }, false],
    ['nested object is .and on the field', { sender: { sex: 'female', card: '' } }, true],
    ['.and', { '.and': { post_type: 'message', group_id: 1 } }, false],
    ['.or', { '.or': [{ group_id: 1 }, { group_id: 100100 }] }, true],
    ['.not', { '.not': { user_id: 20001 } }, false],
    ['.not {} drops everything', { '.not': {} }, false],
    ['.in with an array', { user_id: { '.in': [1, 20001] } }, true],
    [
      '.in with a string: the field is a substring',
      { message_type: { '.in': 'private|group' } },
      true,
    ],
    ['.contains', { raw_message: { '.contains': 'bot' } }, true],
    ['.regex is unanchored', { raw_message: { '.regex': 'l+o\\s' } }, true],
    ['.regex mismatch', { raw_message: { '.regex': '^bot' } }, false],
  ])('%s', (_name, spec, expected) => {
    expect(compileFilter(spec)(event)).toBe(expected);
  });

  it.each([
    ['unknown operator', { '.like': 'x' }],
    ['.or needs an array', { '.or': {} }],
    ['.in needs an array or string', { user_id: { '.in': 5 } }],
    ['.regex needs a valid regex', { raw_message: { '.regex': '(' } }],
    ['not an object', [1]],
  ])('%s makes the filter invalid', (_name, spec) => {
    expect(() => compileFilter(spec)).toThrow(FilterError);
  });

  it('string forms and paths follow gjson', () => {
    expect([
      stringForm(1),
      stringForm(true),
      stringForm(null),
      stringForm(undefined),
      stringForm({ a: 1 }),
    ]).toEqual(['1', 'true', '', '', '{"a":1}']);
    expect(getPath({ 'a.b': 1 }, 'a\\.b')).toBe(1);
    expect(getPath({ a: [{ b: 2 }] }, 'a.0.b')).toBe(2);
    expect(getPath({ a: 1 }, 'a.b')).toBeUndefined();
  });
});
