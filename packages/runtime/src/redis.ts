/** Redis connections with cqfleet's defaults: one server by URL, or a master through Sentinel. */
import { Redis, type RedisOptions } from 'ioredis';
import type { RedisTarget } from './env.js';
import type { Logger } from './logger.js';

export { Redis };

/**
 * Connects to Redis. Commands issued while Redis is away are queued and retried on reconnect;
 * `maxRetriesPerRequest: null` (required by BullMQ workers) waits indefinitely instead of failing.
 * Through Sentinel, the connection asks the Sentinels for the master on every (re)connect; a
 * failover closes it (the old master died, or demotes itself and drops its clients; a write
 * answered READONLY reconnects too), so it follows a promotion. ioredis's `failoverDetector` is
 * left off: when a `+switch-master` arrives while the connection is being re-established, it
 * closes the connection for good (every command then fails with "Connection is closed"), which
 * the chaos run (chaos/) hit on every Redis failover.
 */
export function connectRedis(
  target: RedisTarget | string,
  name: string,
  log: Logger,
  options: Pick<RedisOptions, 'maxRetriesPerRequest' | 'enableAutoPipelining'> = {},
): Redis {
  const common: RedisOptions = {
    connectionName: name,
    maxRetriesPerRequest:
      options.maxRetriesPerRequest === undefined ? 3 : options.maxRetriesPerRequest,
    retryStrategy: times => Math.min(times * 200, 2000),
    // Commands of one turn go out in one write; a connection that mostly sends one command at
    // a time and waits may turn it off (each command then skips building a pipeline).
    enableAutoPipelining: options.enableAutoPipelining ?? true,
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
  // Only `disconnect()`/`quit()` should end a connection; anything else is a bug worth a line.
  redis.on('end', () => log.info('redis connection ended'));
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
