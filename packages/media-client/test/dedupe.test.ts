/** Which jobs identical callers share (BullMQ deduplication ids). */
import { describe, expect, it } from 'vitest';
import { dedupeId } from '@cqfleet/media-client';

describe('dedupeId', () => {
  const fetch = { url: 'https://qq.example/img', name: `${'a'.repeat(32)}.image` };

  it('received media is shared by one account’s callers, never across accounts', () => {
    expect(dedupeId('media.fetch', fetch, 10001)).toBe(
      dedupeId('media.fetch', { ...fetch }, 10001),
    );
    // The media service keeps received media per account: a shared job would hand the second
    // account the first one's file.
    expect(dedupeId('media.fetch', fetch, 10001)).not.toBe(dedupeId('media.fetch', fetch, 666));
    const record = { ...fetch, name: `${'a'.repeat(32)}.amr`, out_format: 'mp3' };
    expect(dedupeId('media.record', record, 10001)).not.toBe(dedupeId('media.record', record, 666));
  });

  it('a download by URL is shared whoever asks (the cache key is the URL and headers)', () => {
    const p = { url: 'https://x/', thread_count: 4 };
    expect(dedupeId('download_file', p, 1)).toBe(
      dedupeId('download_file', { url: 'https://x/' }, 2),
    );
  });
});
