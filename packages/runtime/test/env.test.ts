import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { envBool, envInt, envList, readCommonConfig, readPrefixed } from '@cqfleet/runtime';

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
      redisUrl: 'redis://b:2',
      logLevel: 'info',
    });
    expect(() => readCommonConfig({ CQFLEET_NAMESPAEC: 'x' })).toThrow(/CQFLEET_NAMESPAEC/);
  });
});
