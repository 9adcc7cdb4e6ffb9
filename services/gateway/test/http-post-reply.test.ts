/**
 * A receiver's reply to an HTTP POST is read no further than MAX_REPLY_BYTES: a small JSON
 * object is the quick operation, a reply that streams on is cut off — the event counts as
 * delivered, without a quick operation — and the receiver is not read to its end. A redirect is
 * not followed.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpPostEndpoint } from '@cqfleet/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REPLY_BYTES, postEvent } from '../src/delivery/http-post.js';

let server: Server;
let base: string;
let streamed = 0;
/** A server inside the cluster a receiver's redirect points at. */
let inside: Server;
let insideHits = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    if (req.url === '/quick') return res.end('{"reply":"hi"}');
    if (req.url === '/redirect') {
      const { port } = inside.address() as AddressInfo;
      res.writeHead(307, { location: `http://127.0.0.1:${port}/admin` });
      return res.end();
    }
    // `{"reply":"xxxx…` without end, until the gateway stops reading.
    streamed = 0;
    res.write('{"reply":"');
    const chunk = Buffer.alloc(64 * 1024, 0x78);
    const pump = () => {
      while (!res.destroyed && streamed < 1024 * 1024 * 1024) {
        streamed += chunk.length;
        if (!res.write(chunk)) return res.once('drain', pump);
      }
      res.end('"}');
    };
    pump();
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  inside = createServer((req, res) => {
    insideHits++;
    req.resume();
    res.end('{"reply":"from inside"}');
  });
  await new Promise<void>(r => inside.listen(0, '127.0.0.1', r));
});
afterAll(() => {
  server?.close();
  inside?.close();
});

const endpoint = (path: string) => ({ url: base + path, timeout_ms: 10_000 }) as HttpPostEndpoint;

describe('HTTP POST reply', () => {
  it('a small JSON reply is the quick operation', async () => {
    expect(await postEvent(endpoint('/quick'), 10001, '{}\n', 'e1')).toEqual({
      delivered: true,
      status: 200,
      reply: { reply: 'hi' },
    });
  });

  it('a reply longer than the limit is delivered without a quick operation, and not read on', async () => {
    const result = await postEvent(endpoint('/endless'), 10001, '{}\n', 'e2');
    expect(result).toEqual({ delivered: true, status: 200, reply: undefined });
    await new Promise(r => setTimeout(r, 200));
    expect(streamed).toBeLessThan(MAX_REPLY_BYTES + 32 * 1024 * 1024);
  });

  it('a redirect is not followed: a failed attempt, and the address it names is never posted to', async () => {
    expect(await postEvent(endpoint('/redirect'), 10001, '{}\n', 'e3')).toEqual({
      delivered: false,
      status: 307,
    });
    expect(insideHits).toBe(0);
  });
});
