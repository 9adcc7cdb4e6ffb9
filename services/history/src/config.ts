/** History configuration, read once from the environment at src/main.ts. */
import {
  type CommonConfig,
  envInt,
  type Env,
  readCommonConfig,
  readPrefixed,
} from '@cqfleet/runtime';
import { z } from 'zod';

const Schema = z.object({
  /** @default '127.0.0.1' */
  grpcHost: z.string().default('127.0.0.1'),
  /** @default 7100 */
  grpcPort: envInt(7100, 0, 65535),
  /** Admin HTTP (/healthz, /readyz); disabled when absent. */
  adminPort: z.coerce.number().int().min(0).max(65535).optional(),
  /** Events fetched per pull from the stream. @default 500 */
  batch: envInt(500, 1, 10_000),
  /**
   * How long a look-up that misses waits for the consumer to catch up with events already in
   * the stream (read-your-writes for `get_msg` right after a send). @default 2000 ms
   */
  catchUpMs: envInt(2_000, 0),
});

export type Config = z.output<typeof Schema> & CommonConfig;

export function loadConfig(env: Env): Config {
  return { ...readCommonConfig(env), ...readPrefixed('HISTORY', Schema, env) };
}
