/** Redis connections with cqfleet's defaults. */
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from './logger.js';

export { Redis };

/**
 * Connects to Redis. Commands issued while Redis is away are queued and retried on reconnect;
 * `maxRetriesPerRequest: null` (required by BullMQ workers) waits indefinitely instead of failing.
 */
export function connectRedis(
  url: string,
  name: string,
  log: Logger,
  options: Pick<RedisOptions, 'maxRetriesPerRequest'> = {},
): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest:
      options.maxRetriesPerRequest === undefined ? 3 : options.maxRetriesPerRequest,
    retryStrategy: times => Math.min(times * 200, 2000),
    enableAutoPipelining: true,
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
