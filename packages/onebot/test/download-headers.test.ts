/**
 * download_file's `headers` and `url`: a handful of short headers and a URL, never unbounded
 * client data.
 */
import { describe, expect, it } from 'vitest';
import { OneBotError, parseParams, URL_MAX_CHARS } from '@cqfleet/onebot';

const parse = (headers: unknown) => parseParams('download_file', { url: 'https://x/', headers });

function refusal(headers: unknown): OneBotError {
  try {
    parse(headers);
  } catch (err) {
    return err as OneBotError;
  }
  throw new Error('accepted');
}

describe('download_file headers', () => {
  const usual = ['User-Agent=Mozilla/5.0', 'Referer=https://x/', 'Cookie=session=abc'];

  it('a go-cqhttp client’s handful of headers passes, in either form', () => {
    expect(parse(usual.join('\r\n')).headers).toBe(usual.join('\r\n'));
    expect(parse(usual).headers).toEqual(usual);
    expect(parse(undefined).headers).toBeUndefined();
    const many = Array.from({ length: 32 }, (_, i) => `X-H${i}=v`);
    expect(parse(many).headers).toEqual(many);
    // An object of names to string values: sent as they are (the media service).
    expect(parse({ Cookie: 'session=abc' }).headers).toEqual({ Cookie: 'session=abc' });
  });

  it.each([
    ['an object with a number value', { a: 1 }],
    ['an object with a nested value', { Cookie: { v: 'x' } }],
    ['an array with a number item', ['X-A=1', 2]],
    ['a number', 5],
    ['a boolean', true],
  ])('%s is INVALID_PARAMS naming headers', (_what, headers) => {
    const err = refusal(headers);
    expect(err).toBeInstanceOf(OneBotError);
    expect(err.msg).toBe('INVALID_PARAMS');
    expect(err.wording).toMatch(/参数 headers 无效/);
  });

  it.each([
    ['33 array items', Array.from({ length: 33 }, (_, i) => `X-H${i}=v`), /32 个/],
    ['33 lines', Array.from({ length: 33 }, (_, i) => `X-H${i}=v`).join('\r\n'), /32 个/],
    [
      '33 object keys',
      Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`h${i}`, 'v'])),
      /32 个/,
    ],
    ['one 9 KiB cookie', [`Cookie=${'a'.repeat(9 * 1024)}`], /8192 字节/],
    ['8 KiB in a string', `Cookie=${'a'.repeat(8 * 1024)}`, /8192 字节/],
    ['3000 CJK characters (9000 UTF-8 bytes)', `X=${'头'.repeat(3000)}`, /8192 字节/],
    ['a deep object', { a: { b: 'c'.repeat(10_000) } }, /8192 字节/],
  ])('%s is INVALID_PARAMS naming headers', (_what, headers, wording) => {
    const err = refusal(headers);
    expect(err).toBeInstanceOf(OneBotError);
    expect(err.msg).toBe('INVALID_PARAMS');
    expect(err.wording).toMatch(/参数 headers 无效/);
    expect(err.wording).toMatch(wording);
  });
});

describe('download_file url', () => {
  it('a URL of up to URL_MAX_CHARS (64 Ki) passes; a longer one is INVALID_PARAMS', () => {
    expect(URL_MAX_CHARS).toBe(64 * 1024);
    const at = `https://x/${'a'.repeat(URL_MAX_CHARS - 10)}`;
    expect(parseParams('download_file', { url: at }).url).toBe(at);
    let err: unknown;
    try {
      parseParams('download_file', { url: `${at}b` });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OneBotError);
    expect(err).toMatchObject({ msg: 'INVALID_PARAMS' });
    expect((err as OneBotError).wording).toMatch(/url/);
  });
});
