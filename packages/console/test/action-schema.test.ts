import { describe, expect, it } from 'vitest';
import {
  actionLabel,
  buildParams,
  type CatalogueAction,
  fieldsOf,
  initialValues,
  type JsonSchema,
  parseRawParams,
  placeholderOf,
  readCatalogue,
  valuesFromParams,
} from '../web/action-schema.js';

/** send_group_msg's parameters as the gateway describes them (zod's input side). */
const sendGroupMsg: JsonSchema = {
  type: 'object',
  properties: {
    group_id: { default: 0, type: 'integer' },
    message: {
      anyOf: [
        { type: 'string' },
        { type: 'object', properties: { type: { type: 'string' } } },
        { type: 'array', items: {} } as JsonSchema,
      ],
    },
    auto_escape: { default: false, type: 'boolean' },
  },
};

const mixed: JsonSchema = {
  type: 'object',
  required: ['name', 'kind'],
  properties: {
    name: { type: 'string', description: 'who' },
    kind: { enum: ['group', 'friend'] },
    one: { const: 1 },
    ratio: { type: 'number' },
    nick: { anyOf: [{ type: 'string' }, { type: 'null' }] },
    flag: { type: 'boolean', default: true },
    extra: {},
    list: { type: 'array' },
  },
};

describe('fields of a parameter schema', () => {
  it('map each JSON Schema type to its control, in order', () => {
    expect(fieldsOf(sendGroupMsg)).toEqual([
      { name: 'group_id', kind: 'integer', required: false, default: 0 },
      { name: 'message', kind: 'json', required: false },
      { name: 'auto_escape', kind: 'boolean', required: false, default: false },
    ]);
    const fields = fieldsOf(mixed)!;
    expect(fields.map(f => [f.name, f.kind, f.required])).toEqual([
      ['name', 'string', true],
      ['kind', 'enum', true],
      ['one', 'enum', false],
      ['ratio', 'number', false],
      ['nick', 'string', false],
      ['flag', 'boolean', false],
      ['extra', 'json', false],
      ['list', 'json', false],
    ]);
    expect(fields[0]!.description).toBe('who');
    expect(fields[1]!.options).toEqual(['group', 'friend']);
  });

  it('are none for a schema that is no object ({}: raw JSON only), empty without parameters', () => {
    expect(fieldsOf({})).toBeUndefined();
    expect(fieldsOf({ type: 'object' })).toEqual([]);
    expect(fieldsOf({ type: 'object', properties: {} })).toEqual([]);
  });

  it('say what an empty field leaves the action to', () => {
    const [groupId, message] = fieldsOf(sendGroupMsg)!;
    expect(placeholderOf(groupId!)).toBe('default: 0');
    expect(placeholderOf(message!)).toBe('left empty: not sent');
  });
});

describe('parameters from the fields', () => {
  const fields = fieldsOf(sendGroupMsg)!;

  it('leave empty fields and default checkboxes out', () => {
    expect(buildParams(fields, initialValues(fields))).toEqual({ ok: true, params: {} });
  });

  it('read numbers as numbers and JSON fields as JSON', () => {
    const values = { group_id: ' 100100 ', message: '"hello"', auto_escape: true };
    expect(buildParams(fields, values)).toEqual({
      ok: true,
      params: { group_id: 100100, message: 'hello', auto_escape: true },
    });
    const segments = '[{"type":"text","data":{"text":"hi"}}]';
    expect(buildParams(fields, { message: segments })).toMatchObject({
      ok: true,
      params: { message: [{ type: 'text', data: { text: 'hi' } }] },
    });
  });

  it('name the field that is wrong', () => {
    expect(buildParams(fields, { group_id: '1.5' })).toMatchObject({
      ok: false,
      field: 'group_id',
    });
    expect(buildParams(fields, { group_id: 'abc' })).toMatchObject({
      ok: false,
      field: 'group_id',
    });
    expect(buildParams(fields, { message: 'hello' })).toMatchObject({
      ok: false,
      field: 'message',
    });
    const m = fieldsOf(mixed)!;
    expect(buildParams(m, initialValues(m))).toMatchObject({ ok: false, field: 'name' });
  });

  it('send enum values with their type, and a default-true checkbox only when unchecked', () => {
    const m = fieldsOf(mixed)!;
    const values = { ...initialValues(m), name: 'x', kind: '1', one: '0' };
    expect(buildParams(m, values)).toEqual({
      ok: true,
      params: { name: 'x', kind: 'friend', one: 1 },
    });
    expect(buildParams(m, { ...values, flag: false })).toMatchObject({
      params: { flag: false },
    });
  });

  it('go back to fields from raw JSON, naming what has no field', () => {
    const back = valuesFromParams(fields, {
      group_id: 5,
      message: [{ type: 'text', data: { text: 'a' } }],
      auto_escape: true,
      other: 1,
    });
    expect(back.dropped).toEqual(['other']);
    expect(buildParams(fields, back.values)).toEqual({
      ok: true,
      params: { group_id: 5, message: [{ type: 'text', data: { text: 'a' } }], auto_escape: true },
    });
  });
});

describe('raw parameters and the catalogue', () => {
  it('take a JSON object only', () => {
    expect(parseRawParams('')).toEqual({ ok: true, params: {} });
    expect(parseRawParams('{"a":1}')).toEqual({ ok: true, params: { a: 1 } });
    expect(parseRawParams('[1]')).toMatchObject({ ok: false });
    expect(parseRawParams('{')).toMatchObject({ ok: false });
  });

  it('keep well-formed entries of the answer', () => {
    const a: CatalogueAction = {
      name: 'get_status',
      summary: 'Status.',
      origin: 'onebot11',
      status: 'planned',
      params: { type: 'object' },
    };
    expect(readCatalogue({ actions: [a, { name: 1 }, null] })).toEqual([a]);
    expect(readCatalogue({})).toBeUndefined();
    expect(actionLabel(a)).toBe('Status. (onebot11, planned)');
  });
});
