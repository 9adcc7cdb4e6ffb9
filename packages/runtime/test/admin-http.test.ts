/**
 * The probes every service answers on its admin port: state of the moment, never cached and
 * never sniffed as a page (the gateway's admin origin also serves the operator's console).
 */
import { describe, expect, it } from 'vitest';
import { startAdminServer } from '@cqfleet/runtime';

describe('admin probes', () => {
  it('answer /healthz, /readyz, /metrics and an unknown path with no-store and nosniff', async () => {
    const admin = await startAdminServer('127.0.0.1', 0, {
      ready: () => true,
      info: () => ({ accounts: [10001] }),
    });
    try {
      for (const [path, status] of [
        ['/healthz', 200],
        ['/readyz', 200],
        ['/metrics', 200],
        ['/nope', 404],
      ] as const) {
        const res = await fetch(`http://127.0.0.1:${admin.port}${path}`);
        expect(res.status, path).toBe(status);
        expect(res.headers.get('cache-control'), path).toBe('no-store');
        expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
        await res.arrayBuffer();
      }
    } finally {
      await admin.close();
    }
  });
});
