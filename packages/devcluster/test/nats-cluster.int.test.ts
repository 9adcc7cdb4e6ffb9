import { startNatsCluster, type NatsCluster } from '@cqfleet/devcluster';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('devcluster - a NATS cluster of three on loopback', () => {
  let nats: NatsCluster;
  let nc: NatsConnection | undefined;

  beforeAll(async () => {
    nats = await startNatsCluster();
  });
  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
  });

  it('routes three servers with JetStream, each on its own loopback ports', () => {
    expect(nats.nodes.map(n => n.name)).toEqual(['n1', 'n2', 'n3']);
    expect(nats.urls).toHaveLength(3);
    for (const url of nats.urls) expect(url).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    expect(nats.url).toBe(nats.urls.join(','));
    expect(nats.nodes.every(n => n.running && n.pid !== undefined)).toBe(true);
  });

  it('keeps an R3 stream writable and readable when its leader is killed, and the node rejoins', async () => {
    nc = await connect({ servers: nats.urls, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    const jsm = await jetstreamManager(nc, { timeout: 5_000 });
    const js = jetstream(nc, { timeout: 5_000 });
    await jsm.streams.add({ name: 'HA', subjects: ['ha.>'], num_replicas: 3 });
    expect((await js.publish('ha.1', 'one')).seq).toBe(1);

    const leader = await nats.waitForStreamLeader('HA');
    const killedAt = Date.now();
    await leader.kill();
    expect(leader.running).toBe(false);
    const next = await nats.waitForStreamLeader('HA', leader.name);
    console.log(
      `stream HA: leader ${leader.name} killed, ${next.name} leads after ${Date.now() - killedAt} ms`,
    );
    expect(next.name).not.toBe(leader.name);

    expect((await js.publish('ha.2', 'two')).seq).toBe(2);
    expect((await jsm.streams.getMessage('HA', { seq: 1 }))?.string()).toBe('one');
    expect((await jsm.streams.getMessage('HA', { seq: 2 }))?.string()).toBe('two');

    await leader.restart();
    expect(leader.running).toBe(true);
    await nats.waitForStreamCurrent('HA');
    const info = await jsm.streams.info('HA');
    expect(info.state.messages).toBe(2);
    expect(info.cluster?.replicas?.map(r => r.name)).toContain(
      leader.name === info.cluster?.leader ? next.name : leader.name,
    );
  });

  it('says which stream is missing', async () => {
    await expect(nats.streamLeader('NO_SUCH_STREAM')).rejects.toThrow(/stream not found/);
  });
});
