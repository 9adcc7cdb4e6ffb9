/**
 * The admin port's JSON answers (accounts API, console API) are never cached, sniffed or
 * framed: account records carry upstream tokens and HTTP POST secrets.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { sendJson } from '../src/admin/json-api.js';

it('a JSON answer says no-store, nosniff and a CSP that runs nothing', async () => {
  const server = createServer((_req, res) => sendJson(res, 200, { secret: 's' }));
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(await res.json()).toEqual({ secret: 's' });
  } finally {
    server.close();
  }
});
