/** Helpers tests call: the run's infrastructure, unique names, waiting. */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    cqfleetInfra: { mode: string; natsUrl: string; redisUrl: string };
  }
}

export function testInfra(): { mode: string; natsUrl: string; redisUrl: string } {
  return inject('cqfleetInfra');
}

/** A namespace no other test (or run) uses: streams, keys and queues never collide. */
export function uniqueNamespace(label = 't'): string {
  return `${label}-${randomBytes(5).toString('hex')}`;
}

/** Polls `fn` until it returns something other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  fn: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise(r => setTimeout(r, 20));
  }
}
