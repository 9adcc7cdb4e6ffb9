/** Redis memory accounting for benchmarks that run in their own key prefix. */
import type { Redis } from '@cqfleet/runtime';

export async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  const m = /^used_memory:(\d+)/m.exec(info);
  if (!m) throw new Error('INFO memory has no used_memory');
  return Number(m[1]);
}

/** Bytes Redis holds for what `fill` writes, divided by `count`. */
export async function bytesPer(
  redis: Redis,
  count: number,
  fill: () => Promise<void>,
): Promise<number> {
  const before = await usedMemory(redis);
  await fill();
  const after = await usedMemory(redis);
  return (after - before) / count;
}
