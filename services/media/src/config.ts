/** Media configuration, read once from the environment at src/main.ts. */
import { resolve } from 'node:path';
import {
  type CommonConfig,
  envInt,
  envList,
  type Env,
  readCommonConfig,
  readPrefixed,
} from '@cqfleet/runtime';
import { DEFAULT_JOB_LIFETIME_MS } from '@cqfleet/media-client';
import { z } from 'zod';

const Schema = z.object({
  /** Directory of the shared content cache (a volume shared by media pods). @default './data/cache' */
  cacheDir: z.string().default('data/cache'),
  /**
   * Size cap of the cache; least recently used files are evicted above it (every worker
   * sweeps). @default 10 GiB
   */
  cacheMaxBytes: envInt(10 * 1024 ** 3, 1),
  /**
   * Files the cache may hold; least recently used are evicted above it like above the size
   * cap (a flood of tiny downloads fills inodes, not bytes). @default 100000
   */
  cacheMaxFiles: envInt(100_000, 10),
  /** How often a worker sweeps the cache. @default 60000 ms */
  cacheSweepMs: envInt(60_000, 100),
  /**
   * Directories `file://` media for sending may be read from (comma-separated); the cache
   * directory is always readable. @default 'data'
   */
  fileRoots: envList(['data']),
  /** Largest video for sending. @default 100 MiB */
  videoMaxBytes: envInt(100 * 1024 ** 2, 1),
  /** Jobs one worker runs at once. @default 4 */
  concurrency: envInt(4, 1, 256),
  /**
   * Hosts and addresses a download may reach even though they are loopback, private,
   * link-local or metadata addresses (comma-separated; exact host names or IPs, or CIDRs).
   * Empty: such addresses are refused.
   */
  allowHosts: envList(),
  /** Largest download. @default 1 GiB */
  maxBytes: envInt(1024 ** 3, 1),
  /** A download that receives nothing for this long fails (`DOWNLOAD_TIMEOUT`). @default 30000 ms */
  idleTimeoutMs: envInt(30_000, 100),
  /**
   * Longest a download may take as a whole, every connection of a ranged download included:
   * a server that sends a byte now and then never trips the idle timeout, so this ends it
   * (`DOWNLOAD_TIMEOUT`, partial files removed). At most half a minute under the media
   * clients' DEFAULT_JOB_LIFETIME_MS (150 s): a client gives an account's share of the queue
   * back at the latest that long after its caller gave up, so a longer download would run on
   * outside its account's share. @default 120000 ms
   */
  downloadDeadlineMs: envInt(120_000, 100, DEFAULT_JOB_LIFETIME_MS - 30_000),
  /** Redirects followed before giving up. @default 5 */
  maxRedirects: envInt(5, 0, 20),
  /**
   * How long a job stays locked to a worker that stopped renewing it; after this a killed
   * worker's job is handed to another worker. @default 30000 ms
   */
  lockMs: envInt(30_000, 500),
  /**
   * Trained data OCR reads Chinese with: `full` (the npm package's standard data, about 200 MB
   * more memory per process, reads large and dense Chinese text correctly) or `light` (the
   * small `best_int` data). English always uses the small data. @default 'full'
   */
  ocrData: z.enum(['full', 'light']).default('full'),
  /** ffmpeg for voice conversion (`get_record` to formats other than wav). @default 'ffmpeg' */
  ffmpeg: z.string().default('ffmpeg'),
  /** Admin HTTP (/healthz, /readyz); disabled when absent. */
  adminPort: z.coerce.number().int().min(0).max(65535).optional(),
  /** @default '127.0.0.1' */
  adminHost: z.string().default('127.0.0.1'),
});

export type Config = z.output<typeof Schema> & CommonConfig;

export function loadConfig(env: Env): Config {
  const c = readPrefixed('MEDIA', Schema, env);
  return {
    ...readCommonConfig(env),
    ...c,
    cacheDir: resolve(c.cacheDir),
    fileRoots: c.fileRoots.map(r => resolve(r)),
  };
}
