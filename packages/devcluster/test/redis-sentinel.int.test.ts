import { startRedisSentinel, type RedisSentinelSet } from '@cqfleet/devcluster';
import { waitFor } from '@cqfleet/testkit';
import { Redis, type RedisOptions } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('devcluster - Redis with Sentinel on loopback', () => {
  let set: RedisSentinelSet;
  const clients: Redis[] = [];
  /** A client whose connection errors (a killed node, a failover under way) are expected. */
  const client = (options: RedisOptions) => {
    const c = new Redis(options);
    c.on('error', () => undefined);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    set = await startRedisSentinel();
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await set?.stop();
  });

  it('runs a primary, a replica and three sentinels on loopback', async () => {
    expect(set.masterName).toBe('cqfleet');
    expect(set.nodes.map(n => `${n.kind}:${n.name}`)).toEqual([
      'redis:redis-1',
      'redis:redis-2',
      'sentinel:sentinel-1',
      'sentinel:sentinel-2',
      'sentinel:sentinel-3',
    ]);
    expect(set.sentinels.every(s => s.host === '127.0.0.1')).toBe(true);
    expect(await set.primary()).toEqual({ host: '127.0.0.1', port: set.redis[0]!.port });
  });

  it('fails over to the replica, which has what was written, and the old primary rejoins as replica', async () => {
    const viaSentinel = client({ sentinels: set.sentinels, name: set.masterName });
    await viaSentinel.set('ha:key', 'kept');
    expect(await viaSentinel.call('WAIT', '1', '1000')).toBe(1);

    const started = Date.now();
    const { killed, primary } = await set.failover();
    console.log(`redis failover ${killed.name} → ${primary.name} in ${Date.now() - started} ms`);
    expect(killed.running).toBe(false);
    expect(primary.name).not.toBe(killed.name);
    expect(await set.primary()).toEqual({ host: '127.0.0.1', port: primary.port });

    const direct = client({ host: primary.host, port: primary.port });
    expect(await direct.get('ha:key')).toBe('kept');
    // A client that connects through Sentinel follows the failover.
    expect(await viaSentinel.get('ha:key')).toBe('kept');

    const restarted = Date.now();
    await killed.restart();
    await set.waitForReplicas();
    console.log(`old primary ${killed.name} replica again after ${Date.now() - restarted} ms`);
    // The replica says it is connected a moment before the primary lists it (or the Sentinels
    // reconfigure it once more right after it came back): wait for the primary's view too.
    const replicas = await waitFor(
      async () => {
        const role = (await direct.call('ROLE')) as [string, number, string[][]];
        expect(role[0]).toBe('master');
        return role[2].length > 0 ? role[2].map(r => Number(r[1])) : undefined;
      },
      10_000,
      'the primary to list its replica',
    );
    expect(replicas).toEqual([killed.port]);
    const old = client({ host: killed.host, port: killed.port });
    expect(await old.get('ha:key')).toBe('kept');
  });
});
