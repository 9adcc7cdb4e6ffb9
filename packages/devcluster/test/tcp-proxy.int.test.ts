import { startTcpProxy, type TcpProxy } from '@cqfleet/devcluster';
import { testInfra } from '@cqfleet/testkit';
import { Redis } from 'ioredis';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('devcluster - a TCP proxy that can be cut like a partition', () => {
  let proxy: TcpProxy;
  const clients: Redis[] = [];
  /** A Redis client through the proxy that neither retries nor waits long. */
  const client = () => {
    const c = new Redis({
      host: proxy.host,
      port: proxy.port,
      commandTimeout: 500,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      // PING goes onto the socket at once, instead of waiting behind the ready check's INFO.
      enableReadyCheck: false,
    });
    c.on('error', () => undefined);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    const target = new URL(testInfra().redisUrl);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await proxy?.stop();
  });

  it('forwards, blackholes while cut, and forwards again once restored', async () => {
    expect(proxy.host).toBe('127.0.0.1');
    const before = client();
    expect(await before.ping()).toBe('PONG');

    const closed = once(before, 'close');
    proxy.cut();
    expect(proxy.isCut).toBe(true);
    await closed;

    const during = client();
    await expect(during.ping()).rejects.toThrow(/timed out/);
    expect(proxy.connections).toBe(1); // accepted, never answered

    proxy.restore();
    const after = client();
    expect(await after.ping()).toBe('PONG');
    expect(proxy.connections).toBe(1); // the blackholed one was ended
  });

  it('stalled, keeps a connection open but drops what its client sends, until cut', async () => {
    const c = client();
    expect(await c.ping()).toBe('PONG');
    proxy.stall();
    await expect(c.ping()).rejects.toThrow(/timed out/);
    expect(c.status).toBe('ready'); // the connection is still up
    const closed = once(c, 'close');
    proxy.cut();
    await closed;
    proxy.restore();
    expect(await client().ping()).toBe('PONG');
  });
});
