/** Simulator configuration, read once from `SIM_*` environment variables. */
import { envInt, type Env, readCommonConfig, readPrefixed } from '@cqfleet/runtime';
import { z } from 'zod';

const Schema = z.object({
  /** @default '127.0.0.1' */
  host: z.string().default('127.0.0.1'),
  /** Control API and driver WebSocket. @default 5900 */
  port: envInt(5900, 0, 65535),
  /**
   * The URL others reach this simulator at (media URLs in messages, the upload URL media
   * workers send to); this process's own address when absent (e.g. `http://simulator:5900`
   * in containers).
   */
  publicUrl: z.url().optional(),
  /** Path of a world file; the demo world when empty. */
  world: z.string().optional(),
  /** First message seq of every chat; time-derived when absent. */
  seqBase: z.coerce.number().int().nonnegative().optional(),
  /** Events kept per account for replay after a reconnect. @default 10000 */
  eventLogSize: envInt(10_000, 1),
  /** Bytes (JSON characters) of events kept per account, whatever their count. @default 16 MiB */
  eventLogBytes: envInt(16 * 1024 * 1024, 1024),
});

export type Config = z.output<typeof Schema> & {
  logLevel: ReturnType<typeof readCommonConfig>['logLevel'];
};

export function loadConfig(env: Env): Config {
  return { ...readPrefixed('SIM', Schema, env), logLevel: readCommonConfig(env).logLevel };
}
