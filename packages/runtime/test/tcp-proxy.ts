/**
 * A TCP proxy in front of the test's NATS server, so a test can drop its clients' connections
 * (as a NATS restart or a network cut would) without touching the server other tests share.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export class TcpProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  /** Connections cut so far. */
  drops = 0;

  constructor(private readonly target: { host: string; port: number }) {
    this.server = createServer(client => {
      const upstream = createConnection(this.target);
      for (const [a, b] of [
        [client, upstream],
        [upstream, client],
      ] as const) {
        this.sockets.add(a);
        a.pipe(b);
        a.on('error', () => b.destroy());
        a.on('close', () => {
          this.sockets.delete(a);
          b.destroy();
        });
      }
    });
  }

  /** Listens on a free loopback port; resolves with the URL clients connect to. */
  async start(): Promise<string> {
    await new Promise<void>(resolve => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    if (!address || typeof address === 'string') throw new Error('proxy not listening');
    return `nats://127.0.0.1:${address.port}`;
  }

  /** Cuts every connection through the proxy; clients may connect again at once. */
  drop(): void {
    this.drops++;
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    this.drop();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }
}
