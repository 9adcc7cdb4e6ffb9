/**
 * What the media unit tests share: the job context they run jobs in (loopback only, no file
 * roots, small videos, its cache in `cacheDir`; a test overrides the limits it is about), and
 * the loopback server they download from.
 */
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
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

/**
 * An HTTP server on a free loopback port, for a file's tests: `base` is its URL; `close` ends
 * it with every connection still open (a test's dripping or stalled responses included).
 */
export async function loopbackServer(
  handler: RequestListener,
): Promise<{ base: string; close: () => void }> {
  const server = createServer(handler);
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
