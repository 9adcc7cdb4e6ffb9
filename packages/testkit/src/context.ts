/** Helpers tests call: the run's infrastructure, unique names, waiting. */
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    cqfleetInfra: { mode: string; natsUrl: string; redisUrl: string };
    /** The file the run's namespaces are written to, one per line (global-setup.ts). */
    cqfleetNamespaceLog: string;
  }
}

export function testInfra(): { mode: string; natsUrl: string; redisUrl: string } {
  return inject('cqfleetInfra');
}

/**
 * A namespace no other test (or run) uses: streams, keys and queues never collide. In the
 * integration project it is also written down, and the run deletes its stream and keys at the
 * end (global-setup.ts), whether or not the test cleaned up after itself.
 */
export function uniqueNamespace(label = 't'): string {
  const name = `${label}-${randomBytes(5).toString('hex')}`;
  const log = inject('cqfleetNamespaceLog');
  // Appends of one short line are atomic, so test files in parallel workers cannot mix them.
  if (log) appendFileSync(log, `${name}\n`);
  return name;
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
