/**
 * The test-infrastructure helper's paths. CI runs the suite with URLs from the environment;
 * this file exercises the local-binaries path on every run and the container probe.
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { fromContainers, fromLocalBinaries, resolveTestInfra } from '@cqfleet/testkit';

/** Sends `line` and returns the first chunk the server answers. */
function exchange(url: string, line: string | undefined): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: u.hostname, port: Number(u.port) });
    socket.once('error', reject);
    socket.once('data', d => {
      resolve(d.toString());
      socket.destroy();
    });
    if (line) socket.write(line);
  });
}

describe('testkit - infrastructure', () => {
  it('local binaries: a Redis that answers PING and a NATS with JetStream, stopped afterwards', async () => {
    const infra = await fromLocalBinaries();
    try {
      expect(infra.mode).toBe('local');
      expect(await exchange(infra.redisUrl, 'PING\r\n')).toBe('+PONG\r\n');
      const info = await exchange(infra.natsUrl, undefined);
      expect(info).toMatch(/^INFO /);
      expect(info).toContain('"jetstream":true');
    } finally {
      await infra.stop();
    }
    await expect(exchange(infra.redisUrl, 'PING\r\n')).rejects.toThrow();
  });

  it('the container path answers quickly: containers when an engine runs, nothing otherwise', async () => {
    const started = Date.now();
    const infra = await fromContainers();
    if (infra) {
      try {
        expect(await exchange(infra.redisUrl, 'PING\r\n')).toBe('+PONG\r\n');
      } finally {
        await infra.stop();
      }
    } else {
      expect(Date.now() - started).toBeLessThan(5_000);
    }
  });

  it('environment URLs win when both are set', async () => {
    const infra = await resolveTestInfra({
      CQFLEET_TEST_NATS_URL: 'nats://h:1',
      CQFLEET_TEST_REDIS_URL: 'redis://h:2',
    });
    expect(infra).toMatchObject({ mode: 'env', natsUrl: 'nats://h:1', redisUrl: 'redis://h:2' });
  });

  it('a forced path that is unavailable says so', async () => {
    await expect(resolveTestInfra({ CQFLEET_TEST_INFRA: 'env' })).rejects.toThrow(
      /CQFLEET_TEST_NATS_URL/,
    );
  });
});
