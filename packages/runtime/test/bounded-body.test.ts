/**
 * readBounded against a real HTTP server: a body within the limit arrives whole; one declared
 * or streamed past it is refused, and the server sees the connection end instead of writing
 * on (a server that would send a gigabyte is not read to its end).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BodyTooLarge, readBounded } from '@cqfleet/runtime';

let server: Server;
let base: string;
/** Bytes the streaming route managed to write before its client went away. */
let streamed = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/small') return res.end('{"ok":true}');
    if (req.url === '/declared') {
      res.writeHead(200, { 'content-length': String(10 * 1024 * 1024) });
      return res.write('x');
    }
    // No content-length: 64 KiB chunks until the client stops reading.
    streamed = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x78);
    const pump = () => {
      while (!res.destroyed && streamed < 1024 * 1024 * 1024) {
        streamed += chunk.length;
        if (!res.write(chunk)) return res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server?.close());

describe('readBounded', () => {
  it('reads a body within the limit whole', async () => {
    const body = await readBounded(await fetch(`${base}/small`), 1024);
    expect(body.toString()).toBe('{"ok":true}');
  });

  it('refuses a body declared over the limit without reading it', async () => {
    await expect(readBounded(await fetch(`${base}/declared`), 1024)).rejects.toBeInstanceOf(
      BodyTooLarge,
    );
  });

  it('stops reading a body that streams past the limit', async () => {
    await expect(readBounded(await fetch(`${base}/endless`), 256 * 1024)).rejects.toThrow(
      'answer over 262144 bytes',
    );
    await new Promise(r => setTimeout(r, 200));
    // The server was stopped within a few buffers of the limit, not at its gigabyte.
    expect(streamed).toBeLessThan(64 * 1024 * 1024);
  });
});
