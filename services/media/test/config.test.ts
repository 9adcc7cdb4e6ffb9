/**
 * The media service's settings that other services' behaviour depends on: a download may not
 * outlast the time a media client holds its account's share of the queue for it.
 */
import { DEFAULT_JOB_LIFETIME_MS } from '@cqfleet/media-client';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';

describe('media config', () => {
  it('MEDIA_DOWNLOAD_DEADLINE_MS stays half a minute under the clients’ job lifetime', () => {
    expect(loadConfig({}).downloadDeadlineMs).toBe(120_000);
    const max = DEFAULT_JOB_LIFETIME_MS - 30_000;
    expect(loadConfig({ MEDIA_DOWNLOAD_DEADLINE_MS: String(max) }).downloadDeadlineMs).toBe(max);
    expect(() => loadConfig({ MEDIA_DOWNLOAD_DEADLINE_MS: String(max + 1) })).toThrow(
      /MEDIA_DOWNLOAD_DEADLINE_MS/,
    );
  });
});
