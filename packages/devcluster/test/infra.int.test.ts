import { testInfra } from '@cqfleet/testkit';
import { describe, expect, it } from 'vitest';
import {
  ensureNats,
  ensureRedis,
  formatLogLine,
  freePort,
  MissingInfraError,
} from '@cqfleet/devcluster';

describe('devcluster - infrastructure for npm start', () => {
  it('uses a server that already answers', async () => {
    const redis = await ensureRedis(testInfra().redisUrl);
    const nats = await ensureNats(testInfra().natsUrl);
    expect(redis.origin).toBe('running');
    expect(nats.origin).toBe('running');
  });

  it('when nothing answers and there is no binary, says so in one line', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const err = await ensureRedis(url, undefined, 'no-such-redis-server').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingInfraError);
    expect((err as Error).message).toMatch(
      /^cqfleet needs Redis at redis:\/\/127\.0\.0\.1:\d+: .*apt-get install -y redis-server\)$/,
    );
    expect((err as Error).message).not.toContain('\n');
    const nats = await ensureNats(
      `nats://127.0.0.1:${await freePort()}`,
      undefined,
      'no-such-nats-server',
    ).catch((e: unknown) => e);
    expect((nats as Error).message).toMatch(/apt-get install -y nats-server/);
  });

  it('starts a missing server from its binary and stops it', async () => {
    const nats = await ensureNats(`nats://127.0.0.1:${await freePort()}`);
    expect(nats.origin).toBe('started');
    await nats.stop();
  });
});

describe('devcluster - log lines', () => {
  it('shows a pino line as one readable line', () => {
    const line = JSON.stringify({
      level: 'info',
      time: '2026-11-25T18:57:14.645Z',
      service: 'gateway',
      pid: 1,
      msg: 'ready',
      http: 'http://x',
    });
    expect(formatLogLine('gateway', line)).toBe('18:57:14.645 info  [gateway] ready http=http://x');
    expect(formatLogLine('sim', 'not json')).toBe('[sim] not json');
  });
});
