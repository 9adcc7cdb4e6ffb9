/**
 * The media job context the unit tests run jobs in: loopback only, no file roots, small videos,
 * its cache in `cacheDir`; a test overrides the limits it is about.
 */
import { AddressGuard, type DownloadLimits, type MediaContext } from '@cqfleet/media';

export function testContext(
  cacheDir: string,
  limits: Partial<DownloadLimits> = {},
  more: Partial<Omit<MediaContext, 'selfId' | 'limits'>> = {},
): Omit<MediaContext, 'selfId'> {
  return {
    guard: new AddressGuard(['127.0.0.1']),
    limits: {
      cacheDir,
      maxBytes: 1024 ** 2,
      idleTimeoutMs: 5_000,
      deadlineMs: 10_000,
      maxRedirects: 1,
      ...limits,
    },
    roots: [],
    videoMaxBytes: 1024,
    ffmpeg: 'ffmpeg',
    ...more,
  };
}
