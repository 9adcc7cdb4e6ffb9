/**
 * A TCP proxy on loopback that a process dials instead of its real target, so that a test can
 * partition that one process from it (a session worker from Redis) without touching anything
 * else.
 *
 * `cut()` models a network partition, not a crash:
 * - every open connection is destroyed (the client sees its socket close);
 * - new connections are accepted but blackholed: what the client sends is read and dropped,
 *   nothing is ever answered. A client therefore sees timeouts — its commands never complete —
 *   rather than an immediate "connection refused" that it could handle by failing fast, which is
 *   what a partitioned peer looks like. (The TCP handshake does complete here, unlike in a real
 *   partition: a client's connect timeout is not exercised, its command timeout is.)
 *
 * `restore()` ends the blackholed connections (their clients reconnect) and forwards new
 * connections again. Nothing is buffered across a cut: bytes sent into the blackhole are gone.
 *
 * `stall()` models the moment before a client notices: its open connections stay up, but what
 * it sends from then on is read and dropped (a half-open connection, a peer that died with the
 * bytes in its buffers). The client's writes succeed and are lost; a `cut()` ends it.
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

export interface TcpProxy {
  host: '127.0.0.1';
  port: number;
  /** Whether the proxy is cut now. */
  readonly isCut: boolean;
  /** Connections open now (forwarded or blackholed). */
  readonly connections: number;
  /** Destroys every open connection and blackholes new ones until `restore()`. */
  cut(): void;
  /** Keeps the open connections but drops what their clients send from now on. */
  stall(): void;
  /** Ends the blackholed connections and forwards new ones again. */
  restore(): void;
  /** Closes the listener and every connection. */
  stop(): Promise<void>;
}

export interface TcpProxyOptions {
  /** The port to listen on (127.0.0.1). @default a free one */
  port?: number;
}

/** Where the proxy forwards: fixed, or asked for each new connection (e.g. the Redis primary the Sentinels name now). */
export type ProxyTarget =
  { host: string; port: number } | (() => Promise<{ host: string; port: number }>);

export async function startTcpProxy(
  target: ProxyTarget,
  options: TcpProxyOptions = {},
): Promise<TcpProxy> {
  let isCut = false;
  /** Client sockets forwarded to the target, with their upstream socket. */
  const forwarded = new Map<Socket, Socket>();
  /** Client sockets accepted while cut. */
  const blackholed = new Set<Socket>();

  const forward = async (client: Socket) => {
    client.on('error', () => client.destroy()); // until the pipes below are set up
    let to: { host: string; port: number };
    try {
      to = typeof target === 'function' ? await target() : target;
    } catch {
      client.destroy();
      return;
    }
    if (client.destroyed) return;
    const upstream = tcpConnect({ host: to.host, port: to.port });
    forwarded.set(client, upstream);
    const end = () => {
      forwarded.delete(client);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  };

  const blackhole = (client: Socket) => {
    blackholed.add(client);
    client.on('data', () => undefined); // read and drop, so the client's writes never block
    const end = () => {
      blackholed.delete(client);
      client.destroy();
    };
    client.on('error', end).on('close', end);
  };

  const server: Server = createServer(client => {
    client.setNoDelay(true);
    if (isCut) blackhole(client);
    else void forward(client);
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string')
    throw new Error('TCP proxy: no listening address');

  const dropForwarded = () => {
    for (const [client, upstream] of [...forwarded]) {
      client.destroy();
      upstream.destroy();
    }
    forwarded.clear();
  };
  const dropBlackholed = () => {
    for (const client of [...blackholed]) client.destroy();
    blackholed.clear();
  };

  return {
    host: '127.0.0.1',
    port: address.port,
    get isCut() {
      return isCut;
    },
    get connections() {
      return forwarded.size + blackholed.size;
    },
    cut: () => {
      isCut = true;
      dropForwarded();
    },
    stall: () => {
      for (const [client, upstream] of forwarded) {
        client.unpipe(upstream);
        client.on('data', () => undefined); // keeps reading, so the client's writes go through
      }
    },
    restore: () => {
      isCut = false;
      dropBlackholed();
    },
    stop: async () => {
      const closed = new Promise<void>(resolve => server.close(() => resolve()));
      dropForwarded();
      dropBlackholed();
      await closed;
    },
  };
}
