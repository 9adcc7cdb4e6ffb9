/**
 * A file server on loopback for media tests: serves fixed bodies by path (404 otherwise) and
 * counts requests per path. Clusters started by the testkit allow 127.0.0.1 for downloads.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FileServer {
  /** `http://127.0.0.1:<port>` */
  base: string;
  url(path: string): string;
  /** Requests per path. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

export async function startFileServer(files: Record<string, Buffer>): Promise<FileServer> {
  const hits = new Map<string, number>();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const body = files[path];
    if (!body) return res.writeHead(404).end();
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    url: path => `${base}${path}`,
    hits,
    close: () => new Promise(resolve => server.close(() => resolve())),
  };
}
