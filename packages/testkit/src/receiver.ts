/**
 * An HTTP POST receiver for tests: records every request (headers and the exact body bytes)
 * and answers as the test says (default 204). Listens on loopback.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  url: string;
  body: Buffer;
  json: Record<string, unknown>;
}

export type Answer = { status?: number; body?: unknown } | undefined;

export class Receiver {
  readonly received: Received[] = [];
  /** How to answer a request; may be replaced by a test at any time. */
  answer: (r: Received) => Answer | Promise<Answer> = () => undefined;
  private server?: Server;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts listening (again, on the same port after stop(), when `port` is set). */
  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        let json: Record<string, unknown> = {};
        try {
          json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
        } catch {
          // not JSON
        }
        const r: Received = { headers: req.headers, url: req.url ?? '/', body, json };
        this.received.push(r);
        void Promise.resolve(this.answer(r)).then(a => {
          const status = a?.status ?? (a?.body === undefined ? 204 : 200);
          res.writeHead(
            status,
            a?.body === undefined ? {} : { 'content-type': 'application/json' },
          );
          res.end(a?.body === undefined ? undefined : JSON.stringify(a.body));
        });
      });
    });
    await new Promise<void>(r => this.server!.listen(this.port, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise(r => s.close(r));
  }

  /** Received events (not heartbeats) in arrival order. */
  events(): Received[] {
    return this.received.filter(r => r.json.post_type !== 'meta_event');
  }
}
