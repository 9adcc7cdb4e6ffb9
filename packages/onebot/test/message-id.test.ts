import { describe, expect, it } from 'vitest';
import { crc32, messageCode, messageId, messageIdV2 } from '@cqfleet/onebot';

describe('message id', () => {
  // Vectors computed independently with Python's zlib.crc32, reinterpreted as int32.
  it.each([
    [100100, 42, 799659515],
    [10001, 1, -1839864992],
    [123456789, 65535, -1977176037],
    [100200, 0, -1995525407],
  ])('messageId(%i, %i) = %i', (code, seq, id) => {
    expect(messageId(code, seq)).toBe(id);
  });

  it('crc32 of the empty string is 0 and of "123456789" is the IEEE check value', () => {
    expect(crc32('')).toBe(0);
    expect(crc32('123456789')).toBe(0xcbf43926);
  });

  it('message_id_v2 is hex of code u64 BE + seq u32 BE', () => {
    expect(messageIdV2(100100, 42)).toBe('00000000000187040000002a');
  });

  it('group messages use the group, private messages the sender', () => {
    expect(messageCode('group', 100100, 10001)).toBe(100100);
    expect(messageCode('private', undefined, 10001)).toBe(10001);
  });
});
