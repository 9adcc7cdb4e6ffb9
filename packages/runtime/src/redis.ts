/** Redis connections with cqfleet's defaults: one server by URL, or a master through Sentinel. */
import { Redis, type RedisOptions } from 'ioredis';
import type { RedisTarget } from './env.js';
import type { Logger } from './logger.js';

export { Redis };

/**
 * Connects to Redis. Commands issued while Redis is away are queued and retried on reconnect;
 * `maxRetriesPerRequest: null` (required by BullMQ workers) waits indefinitely instead of failing.
 * Through Sentinel, the connection asks the Sentinels for the master on every (re)connect and
 * drops it when they announce a failover (`failoverDetector`), so it follows a promotion at once.
 */
export function connectRedis(
  target: RedisTarget | string,
  name: string,
  log: Logger,
  options: Pick<RedisOptions, 'maxRetriesPerRequest'> = {},
): Redis {
  const common: RedisOptions = {
    connectionName: name,
    maxRetriesPerRequest:
      options.maxRetriesPerRequest === undefined ? 3 : options.maxRetriesPerRequest,
    retryStrategy: times => Math.min(times * 200, 2000),
    enableAutoPipelining: true,
  };
  const t = typeof target === 'string' ? { url: target } : target;
  const redis =
    'url' in t
      ? new Redis(t.url, common)
      : new Redis({
          ...common,
          sentinels: t.sentinels,
          name: t.name,
          password: t.password,
          sentinelPassword: t.sentinelPassword,
          sentinelRetryStrategy: times => Math.min(times * 200, 2000),
          failoverDetector: true,
          // A demoted master answers READONLY to writes: reconnect, to the new master.
          reconnectOnError: err => err.message.startsWith('READONLY'),
        });
  let lastError = '';
  redis.on('error', (err: Error) => {
    if (err.message !== lastError) log.warn({ err: err.message }, 'redis error');
    lastError = err.message;
  });
  redis.on('ready', () => {
    lastError = '';
  });
  return redis;
}

/** Resolves when the connection is ready, or rejects after `timeoutMs`. */
export async function redisReady(redis: Redis, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`redis not ready after ${timeoutMs} ms`)),
      timeoutMs,
    );
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
