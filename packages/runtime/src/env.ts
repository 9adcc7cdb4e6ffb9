/**
 * Config from the environment, parsed once at a service's entry (src/main.ts) with zod.
 *
 * A service declares a schema with camelCase keys; each key `fooBar` is read from
 * `<PREFIX>_FOO_BAR`. Variables that carry the prefix but match no key are rejected, so a typo
 * is an error at start-up rather than a silently ignored setting.
 *
 * Settings every service shares use the `CQFLEET_` prefix ({@link CommonConfig}); `NATS_URL`
 * and `REDIS_URL` are accepted as well, as most tooling sets them. `CQFLEET_TEST_*` (the test
 * harness) and `CQFLEET_DEV_*` (`npm start`) belong to tools and are not service settings.
 */
import { z } from 'zod';
import { LOG_LEVELS } from './logger.js';

export type Env = Record<string, string | undefined>;

function toEnvName(prefix: string, key: string): string {
  return `${prefix}_${key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

export function readPrefixed<S extends z.ZodObject>(
  prefix: string,
  schema: S,
  env: Env,
  /** Variable-name prefixes that belong to tools, not to this schema. */
  reserved: readonly string[] = [],
): z.output<S> {
  const raw: Record<string, string> = {};
  const known = new Set<string>();
  for (const key of Object.keys(schema.shape)) {
    const name = toEnvName(prefix, key);
    known.add(name);
    const value = env[name];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const unknown = Object.keys(env).filter(
    k => k.startsWith(`${prefix}_`) && !known.has(k) && !reserved.some(r => k.startsWith(r)),
  );
  if (unknown.length > 0)
    throw new Error(`unknown setting(s): ${unknown.join(', ')}; known: ${[...known].join(', ')}`);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      i => `${toEnvName(prefix, String(i.path[0]))}: ${i.message}`,
    );
    throw new Error(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return parsed.data;
}

/** Reads a boolean setting: `1/true/yes/on` or `0/false/no/off`. */
export const envBool = (defaultValue: boolean) =>
  z
    .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
    .optional()
    .transform(v => (v === undefined ? defaultValue : ['1', 'true', 'yes', 'on'].includes(v)));

/** Reads an integer setting. */
export const envInt = (defaultValue: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(defaultValue);

/** Reads a comma-separated list; `fallback` when the variable is absent or empty. */
export const envList = (fallback: readonly string[] = []) =>
  z
    .string()
    .optional()
    .transform(v =>
      v
        ? v
            .split(',')
            .map(s => s.trim())
            .filter(Boolean)
        : [...fallback],
    );

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

const Common = z.object({
  namespace: z.string().default('cqfleet'),
  natsUrl: z.string().optional(),
  redisUrl: z.string().optional(),
  logLevel: z.enum(LOG_LEVELS).default('info'),
});

export interface CommonConfig {
  /** Names everything in NATS and Redis (see @cqfleet/contracts Namespace). @default 'cqfleet' */
  namespace: string;
  /** @default 'nats://127.0.0.1:4222' (CQFLEET_NATS_URL, else NATS_URL) */
  natsUrl: string;
  /** @default 'redis://127.0.0.1:6379' (CQFLEET_REDIS_URL, else REDIS_URL) */
  redisUrl: string;
  /** @default 'info' */
  logLevel: (typeof LOG_LEVELS)[number];
}

export function readCommonConfig(env: Env): CommonConfig {
  const c = readPrefixed('CQFLEET', Common, env, ['CQFLEET_TEST_', 'CQFLEET_DEV_']);
  return {
    namespace: c.namespace,
    natsUrl: c.natsUrl ?? env.NATS_URL ?? DEFAULT_NATS_URL,
    redisUrl: c.redisUrl ?? env.REDIS_URL ?? DEFAULT_REDIS_URL,
    logLevel: c.logLevel,
  };
}
