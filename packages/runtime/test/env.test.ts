import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  describeRedis,
  envBool,
  envInt,
  envList,
  readCommonConfig,
  readPrefixed,
} from '@cqfleet/runtime';

const Schema = z.object({
  httpPort: envInt(5700, 0, 65535),
  enabled: envBool(false),
  hosts: envList(),
  roots: envList(['data']),
  name: z.string().default('x'),
});

describe('config from the environment', () => {
  it('reads <PREFIX>_UPPER_SNAKE names into camelCase keys with defaults', () => {
    expect(
      readPrefixed('GW', Schema, { GW_HTTP_PORT: '8000', GW_ENABLED: 'yes', GW_HOSTS: 'a, b,,c' }),
    ).toEqual({
      httpPort: 8000,
      enabled: true,
      hosts: ['a', 'b', 'c'],
      roots: ['data'],
      name: 'x',
    });
    expect(readPrefixed('GW', Schema, { GW_ROOTS: '/srv/a,/srv/b' }).roots).toEqual([
      '/srv/a',
      '/srv/b',
    ]);
    expect(readPrefixed('GW', Schema, {})).toEqual({
      httpPort: 5700,
      enabled: false,
      hosts: [],
      roots: ['data'],
      name: 'x',
    });
  });

  it('rejects typos and bad values with the variable name', () => {
    expect(() => readPrefixed('GW', Schema, { GW_HTTP_PROT: '1' })).toThrow(/GW_HTTP_PROT/);
    expect(() => readPrefixed('GW', Schema, { GW_HTTP_PORT: 'x' })).toThrow(/GW_HTTP_PORT/);
    expect(() => readPrefixed('GW', Schema, { GW_ENABLED: 'maybe' })).toThrow(/GW_ENABLED/);
  });

  it('common settings: CQFLEET_* first, NATS_URL / REDIS_URL next, tool variables ignored', () => {
    expect(
      readCommonConfig({
        NATS_URL: 'nats://a:1',
        CQFLEET_REDIS_URL: 'redis://b:2',
        CQFLEET_TEST_NATS_URL: 'x',
        CQFLEET_DEV_QUIET: '1',
      }),
    ).toEqual({
      namespace: 'cqfleet',
      natsUrl: 'nats://a:1',
      eventStream: { replicas: 1, maxBytes: 0, maxMsgsPerSubject: 1_000_000 },
      redis: { url: 'redis://b:2' },
      logLevel: 'info',
    });
    expect(() => readCommonConfig({ CQFLEET_NAMESPAEC: 'x' })).toThrow(/CQFLEET_NAMESPAEC/);
  });

  it('high availability: a NATS server list, stream replicas, Redis through Sentinel', () => {
    const ha = readCommonConfig({
      CQFLEET_NATS_URL: 'nats://n1:4222,nats://n2:4222,nats://n3:4222',
      CQFLEET_STREAM_REPLICAS: '3',
      CQFLEET_REDIS_SENTINELS: 's1:26379, s2:26379,[::1]:26380',
      CQFLEET_REDIS_MASTER: 'cqfleet',
      CQFLEET_REDIS_PASSWORD: 'pw',
      CQFLEET_REDIS_URL: 'redis://ignored:1',
    });
    expect(ha.eventStream.replicas).toBe(3);
    expect(ha.redis).toEqual({
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      name: 'cqfleet',
      password: 'pw',
      sentinelPassword: undefined,
    });
    expect(describeRedis(ha.redis)).toBe('sentinels s1:26379,s2:26379,::1:26380 master cqfleet');
    expect(describeRedis({ url: 'redis://:secret@r:6379/0' })).toBe('redis://r:6379/0');
    // Half a Sentinel setting, a bad address or replica count: refused at start, named.
    expect(() => readCommonConfig({ CQFLEET_REDIS_SENTINELS: 's1:26379' })).toThrow(
      /CQFLEET_REDIS_MASTER/,
    );
    expect(() => readCommonConfig({ CQFLEET_REDIS_MASTER: 'm' })).toThrow(/SENTINELS/);
    expect(() =>
      readCommonConfig({ CQFLEET_REDIS_SENTINELS: 's1', CQFLEET_REDIS_MASTER: 'm' }),
    ).toThrow(/CQFLEET_REDIS_SENTINELS.*host:port/);
    expect(() => readCommonConfig({ CQFLEET_STREAM_REPLICAS: '7' })).toThrow(
      /CQFLEET_STREAM_REPLICAS/,
    );
  });

  it("the event stream's bounds: a million events per account and post type by default, bytes when set", () => {
    expect(
      readCommonConfig({
        CQFLEET_STREAM_MAX_BYTES: '10737418240',
        CQFLEET_STREAM_MAX_MSGS_PER_SUBJECT: '0',
      }).eventStream,
    ).toEqual({ replicas: 1, maxBytes: 10737418240, maxMsgsPerSubject: 0 });
    expect(() => readCommonConfig({ CQFLEET_STREAM_MAX_BYTES: '-1' })).toThrow(
      /CQFLEET_STREAM_MAX_BYTES/,
    );
    expect(() => readCommonConfig({ CQFLEET_STREAM_MAX_MSGS_PER_SUBJECT: 'lots' })).toThrow(
      /CQFLEET_STREAM_MAX_MSGS_PER_SUBJECT/,
    );
  });
});
