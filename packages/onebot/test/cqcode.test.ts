import { describe, expect, it } from 'vitest';
import {
  escapeText,
  escapeValue,
  parseCQ,
  stringifyCQ,
  toSegments,
  unescapeText,
  unescapeValue,
} from '@cqfleet/onebot';

const t = (text: string) => ({ type: 'text', data: { text } });

describe('cqcode - escaping', () => {
  it.each([
    ['plain', 'plain', 'plain'],
    ['a&b', 'a&amp;b', 'a&amp;b'],
    ['[x]', '&#91;x&#93;', '&#91;x&#93;'],
    ['a,b', 'a,b', 'a&#44;b'],
    ['&#91;', '&amp;#91;', '&amp;#91;'],
    ['[CQ:face,id=1]', '&#91;CQ:face,id=1&#93;', '&#91;CQ:face&#44;id=1&#93;'],
  ])('escape %j', (raw, asText, asValue) => {
    expect(escapeText(raw)).toBe(asText);
    expect(escapeValue(raw)).toBe(asValue);
    expect(unescapeText(asText)).toBe(raw);
    expect(unescapeValue(asValue)).toBe(raw);
  });
});

describe('cqcode - parse', () => {
  it.each<[string, string, unknown[]]>([
    ['empty string', '', []],
    ['plain text', 'hello', [t('hello')]],
    ['one code', '[CQ:face,id=14]', [{ type: 'face', data: { id: '14' } }]],
    [
      'text around codes',
      'hi [CQ:at,qq=10001] there',
      [t('hi '), { type: 'at', data: { qq: '10001' } }, t(' there')],
    ],
    ['code without params', '[CQ:shake]', [{ type: 'shake', data: {} }]],
    [
      'escaped value',
      '[CQ:share,url=http://a/?x=1&#44;2&amp;y=&#91;3&#93;,title=t]',
      [{ type: 'share', data: { url: 'http://a/?x=1,2&y=[3]', title: 't' } }],
    ],
    ['escaped text', '&#91;not code&#93; &amp;', [t('[not code] &')]],
    ['lone closing bracket kept', 'a]b', [t('a]b')]],
    ['lone opening bracket kept', 'a[b', [t('a[b')]],
    ['not a code without CQ:', '[cq:face,id=1]', [t('[cq:face,id=1]')]],
    ['unterminated code drops the rest', 'before[CQ:face,id=14', [t('before')]],
    ['unterminated in the type', 'x[CQ:fa', [t('x')]],
    [
      'unterminated after a good code',
      '[CQ:face,id=1][CQ:at,qq=2',
      [{ type: 'face', data: { id: '1' } }],
    ],
    [
      'value with = inside',
      '[CQ:json,data={"a":1}]',
      [{ type: 'json', data: { data: '{"a":1}' } }],
    ],
    [
      'key without value',
      '[CQ:image,flash,file=a.png]',
      [{ type: 'image', data: { flash: '', file: 'a.png' } }],
    ],
    ['empty value', '[CQ:at,qq=]', [{ type: 'at', data: { qq: '' } }]],
    [
      'unicode',
      '你好[CQ:face,id=1]世界',
      [t('你好'), { type: 'face', data: { id: '1' } }, t('世界')],
    ],
    [
      'consecutive codes',
      '[CQ:dice][CQ:rps]',
      [
        { type: 'dice', data: {} },
        { type: 'rps', data: {} },
      ],
    ],
  ])('%s', (_name, input, expected) => {
    expect(parseCQ(input)).toEqual(expected);
  });
});

describe('cqcode - stringify', () => {
  it.each<[string, unknown[], string]>([
    ['text is escaped, never [CQ:text]', [t('a[b]&c,d')], 'a&#91;b&#93;&amp;c,d'],
    [
      'values are escaped',
      [{ type: 'share', data: { title: 'a,b[c]' } }],
      '[CQ:share,title=a&#44;b&#91;c&#93;]',
    ],
    ['typed values become strings', [{ type: 'at', data: { qq: 10001 } }], '[CQ:at,qq=10001]'],
    [
      'null values are skipped',
      [{ type: 'image', data: { file: 'a', url: null } }],
      '[CQ:image,file=a]',
    ],
    ['missing data', [{ type: 'dice' }], '[CQ:dice]'],
    [
      'parameter order is kept',
      [{ type: 'music', data: { type: '163', id: '1' } }],
      '[CQ:music,type=163,id=1]',
    ],
  ])('%s', (_name, segments, expected) => {
    expect(stringifyCQ(segments as never)).toBe(expected);
  });
});

describe('message - toSegments', () => {
  it('parses CQ strings', () => {
    expect(toSegments('a[CQ:face,id=1]')).toEqual([t('a'), { type: 'face', data: { id: '1' } }]);
  });
  it('auto_escape sends a string as plain text', () => {
    expect(toSegments('[CQ:face,id=1]', true)).toEqual([t('[CQ:face,id=1]')]);
  });
  it('a single segment object is a message', () => {
    expect(toSegments({ type: 'at', data: { qq: 1 } })).toEqual([
      { type: 'at', data: { qq: '1' } },
    ]);
  });
  it('arrays get string-valued data and merged text', () => {
    expect(
      toSegments([
        { type: 'text', data: { text: 'a' } },
        { type: 'text', data: { text: 'b' } },
        { type: 'face', data: { id: 14 } },
        { type: 'text', data: { text: '' } },
      ]),
    ).toEqual([t('ab'), { type: 'face', data: { id: '14' } }]);
  });
  it('auto_escape is ignored for arrays', () => {
    expect(toSegments([{ type: 'face', data: { id: '1' } }], true)).toEqual([
      { type: 'face', data: { id: '1' } },
    ]);
  });
  it('non-segment array items are dropped', () => {
    expect(toSegments([1, null, { type: 'dice' }] as never)).toEqual([{ type: 'dice', data: {} }]);
  });
});
