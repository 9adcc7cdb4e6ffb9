/** `.get_word_slices` segments a chat message's worth of text, not anything a client sends. */
import { describe, expect, it } from 'vitest';
import { parseParams, WORD_SLICES_MAX_CHARS } from '@cqfleet/onebot';

describe('.get_word_slices content', () => {
  it('takes a message up to the limit', () => {
    const content = '我们'.repeat(WORD_SLICES_MAX_CHARS / 2);
    expect(parseParams('.get_word_slices', { content }).content).toBe(content);
  });

  it('refuses longer content as INVALID_PARAMS, before any media job', () => {
    expect(() =>
      parseParams('.get_word_slices', { content: 'x'.repeat(WORD_SLICES_MAX_CHARS + 1) }),
    ).toThrow(expect.objectContaining({ msg: 'INVALID_PARAMS' }) as Error);
  });
});
