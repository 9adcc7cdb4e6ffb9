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

/** A `host:port` list (Redis Sentinels), checked where it is read. */
const hostPorts = z.string().transform((v, ctx) => {
  const out: Array<{ host: string; port: number }> = [];
  for (const part of v
    .split(',')
    .map(s => s.trim())
    .filter(Boolean)) {
    const m = /^(\[[0-9a-fA-F:]+\]|[^:\s]+):(\d{1,5})$/.exec(part);
    const port = m ? Number(m[2]) : 0;
    if (!m || port < 1 || port > 65535) {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(part)} is not host:port` });
      return z.NEVER;
    }
    out.push({ host: m[1]!.replace(/^\[|\]$/g, ''), port });
  }
  if (out.length === 0) ctx.addIssue({ code: 'custom', message: 'no sentinel given' });
  return out;
});

const Common = z.object({
  namespace: z.string().default('cqfleet'),
  natsUrl: z.string().optional(),
  /** Replicas of every JetStream stream cqfleet creates (its durable consumers inherit it). */
  streamReplicas: envInt(1, 1, 5),
  streamMaxBytes: envInt(0, 0, Number.MAX_SAFE_INTEGER),
  streamMaxMsgsPerSubject: envInt(1_000_000, 0, Number.MAX_SAFE_INTEGER),
  redisUrl: z.string().optional(),
  redisSentinels: hostPorts.optional(),
  redisMaster: z.string().min(1).optional(),
  redisPassword: z.string().optional(),
  redisSentinelPassword: z.string().optional(),
  logLevel: z.enum(LOG_LEVELS).default('info'),
});

/**
 * Where Redis is: one server by URL, or the master a group of Sentinels names (followed across
 * failovers by ioredis).
 */
export type RedisTarget =
  | { url: string }
  | {
      sentinels: Array<{ host: string; port: number }>;
      /** The master's name in the Sentinels' configuration. */
      name: string;
      password?: string;
      sentinelPassword?: string;
    };

/**
 * What an operator sets of the event stream. Besides its 24 h of age, the stream is bounded so
 * that one account's flood costs that account: at most `maxMsgsPerSubject` stream messages of
 * one account and post type (the subject `<ns>.events.<self_id>.<post_type>`; a message is a
 * batch of up to 64 events within NATS's payload limit), the oldest dropped past it. JetStream
 * has no byte bound per subject, so the disk is bounded only by `maxBytes`, the whole stream's
 * (0: none), past which the oldest events of any account go. Both are retention, like the age:
 * an event dropped before history stored it or a feed delivered it is gone, so they are set
 * far above what a consumer ever lags by.
 */
export interface EventStreamLimits {
  /** Copies of the stream, and so of its durable consumers (CQFLEET_STREAM_REPLICAS): 3 in production. @default 1 */
  replicas: number;
  /** CQFLEET_STREAM_MAX_BYTES; 0 is no byte bound (JetStream reserves what is set). @default 0 */
  maxBytes: number;
  /** CQFLEET_STREAM_MAX_MSGS_PER_SUBJECT; 0 is no bound. @default 1,000,000 */
  maxMsgsPerSubject: number;
}

export interface CommonConfig {
  /** Names everything in NATS and Redis (see @cqfleet/contracts Namespace). @default 'cqfleet' */
  namespace: string;
  /** Comma-separated servers of one NATS cluster. @default 'nats://127.0.0.1:4222' (CQFLEET_NATS_URL, else NATS_URL) */
  natsUrl: string;
  /** The event stream's replicas and bounds (CQFLEET_STREAM_*), passed to `ensureEventStream`. */
  eventStream: EventStreamLimits;
  /**
   * CQFLEET_REDIS_SENTINELS (`host:port,…`) with CQFLEET_REDIS_MASTER, else CQFLEET_REDIS_URL
   * (else REDIS_URL). @default { url: 'redis://127.0.0.1:6379' }
   */
  redis: RedisTarget;
  /** @default 'info' */
  logLevel: (typeof LOG_LEVELS)[number];
}

export function readCommonConfig(env: Env): CommonConfig {
  const c = readPrefixed('CQFLEET', Common, env, ['CQFLEET_TEST_', 'CQFLEET_DEV_']);
  if ((c.redisSentinels === undefined) !== (c.redisMaster === undefined))
    throw new Error(
      'invalid configuration:\n  CQFLEET_REDIS_SENTINELS and CQFLEET_REDIS_MASTER go together',
    );
  const redis: RedisTarget =
    c.redisSentinels && c.redisMaster
      ? {
          sentinels: c.redisSentinels,
          name: c.redisMaster,
          password: c.redisPassword,
          sentinelPassword: c.redisSentinelPassword,
        }
      : { url: c.redisUrl ?? env.REDIS_URL ?? DEFAULT_REDIS_URL };
  return {
    namespace: c.namespace,
    natsUrl: c.natsUrl ?? env.NATS_URL ?? DEFAULT_NATS_URL,
    eventStream: {
      replicas: c.streamReplicas,
      maxBytes: c.streamMaxBytes,
      maxMsgsPerSubject: c.streamMaxMsgsPerSubject,
    },
    redis,
    logLevel: c.logLevel,
  };
}

/** Where a Redis target points, for logs and banners (no password). */
export function describeRedis(target: RedisTarget): string {
  if ('url' in target) return target.url.replace(/\/\/[^@/]*@/, '//');
  return `sentinels ${target.sentinels.map(s => `${s.host}:${s.port}`).join(',')} master ${target.name}`;
}
