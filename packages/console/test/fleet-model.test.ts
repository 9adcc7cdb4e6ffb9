import { describe, expect, it } from 'vitest';
import type { FleetAccount } from '@cqfleet/contracts';
import {
  countStates,
  driverLabel,
  filterAccounts,
  formatAge,
  formatBytes,
  formatRate,
  nextSort,
  NO_FILTERS,
  sortAccounts,
  sparkPoints,
  backoffMs,
} from '../web/fleet-model.js';
import { EMPTY_FIELDS, keepEndpoints, recordOf } from '../web/account-record.js';

const account = (uin: number, over: Partial<FleetAccount> = {}): FleetAccount => ({
  uin,
  enabled: true,
  driver: 'simulator',
  state: 'online',
  eventsPerSecond: [],
  actionsPerSecond: [],
  ...over,
});

const fleet = [
  account(10003, {
    nickname: 'Carol',
    owner: { worker: 'w-b', fence: 2 },
    eventsPerSecond: [1, 5],
  }),
  account(10001, { nickname: 'alice', owner: { worker: 'w-a', fence: 7 }, eventsPerSecond: [9] }),
  account(10002, {
    driver: 'onebot',
    flavor: 'napcat',
    mode: 'reverse',
    state: 'disabled',
    enabled: false,
    lastError: 'closed 1006',
  }),
  account(20001, { state: 'offline', owner: { worker: 'w-a', fence: 3 } }),
];

describe('filtering', () => {
  it('matches the text against uin, nickname and worker, case-insensitively', () => {
    const uins = (text: string) => filterAccounts(fleet, { ...NO_FILTERS, text }).map(a => a.uin);
    expect(uins('')).toEqual([10003, 10001, 10002, 20001]);
    expect(uins('1000')).toEqual([10003, 10001, 10002]);
    expect(uins('ALI')).toEqual([10001]);
    expect(uins(' w-a ')).toEqual([10001, 20001]);
    expect(uins('nobody')).toEqual([]);
  });

  it('filters by state and by driver', () => {
    expect(filterAccounts(fleet, { ...NO_FILTERS, state: 'offline' }).map(a => a.uin)).toEqual([
      20001,
    ]);
    expect(filterAccounts(fleet, { ...NO_FILTERS, driver: 'onebot' }).map(a => a.uin)).toEqual([
      10002,
    ]);
  });
});

describe('sorting', () => {
  const uins = (key: Parameters<typeof nextSort>[1], dir: 'asc' | 'desc') =>
    sortAccounts(fleet, { key, dir }).map(a => a.uin);

  it('sorts by each column, empty values last and ties by uin', () => {
    expect(uins('uin', 'asc')).toEqual([10001, 10002, 10003, 20001]);
    expect(uins('uin', 'desc')).toEqual([20001, 10003, 10002, 10001]);
    expect(uins('nickname', 'asc')).toEqual([10001, 10003, 10002, 20001]);
    expect(uins('events', 'desc')).toEqual([10001, 10003, 10002, 20001]);
    expect(uins('state', 'asc')).toEqual([10001, 10003, 20001, 10002]);
    expect(uins('owner', 'asc')).toEqual([20001, 10001, 10003, 10002]);
  });

  it('does not change its input', () => {
    const before = fleet.map(a => a.uin);
    sortAccounts(fleet, { key: 'uin', dir: 'asc' });
    expect(fleet.map(a => a.uin)).toEqual(before);
  });

  it('flips the direction of the same column; rates start descending', () => {
    expect(nextSort({ key: 'uin', dir: 'asc' }, 'uin')).toEqual({ key: 'uin', dir: 'desc' });
    expect(nextSort({ key: 'uin', dir: 'desc' }, 'nickname')).toEqual({
      key: 'nickname',
      dir: 'asc',
    });
    expect(nextSort({ key: 'uin', dir: 'asc' }, 'events')).toEqual({ key: 'events', dir: 'desc' });
  });

  it('sorts a thousand accounts quickly', () => {
    const many = Array.from({ length: 1000 }, (_, i) =>
      account(10_000 + ((i * 7919) % 1000), { eventsPerSecond: [i % 13] }),
    );
    const started = performance.now();
    for (let i = 0; i < 20; i++) sortAccounts(many, { key: 'events', dir: 'desc' });
    expect((performance.now() - started) / 20).toBeLessThan(20);
  });
});

describe('labels and formats', () => {
  it('describes the driver', () => {
    expect(driverLabel(fleet[0]!)).toBe('simulator');
    expect(driverLabel(fleet[2]!)).toBe('onebot · napcat · reverse');
    expect(driverLabel({ driver: 'onebot' })).toBe('onebot · auto · forward');
  });

  it('counts states', () => {
    expect(Object.fromEntries(countStates(fleet))).toEqual({
      online: 2,
      disabled: 1,
      offline: 1,
    });
  });

  it('formats rates, ages and sizes', () => {
    expect([0, 0.04, 2.26, 12.6, 1234].map(formatRate)).toEqual(['0', '0.0', '2.3', '13', '1234']);
    expect([400, 12_000, 600_000, 7_200_000].map(formatAge)).toEqual([
      '0.4 s',
      '12 s',
      '10 min',
      '2 h',
    ]);
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MiB');
  });
});

describe('the add form', () => {
  const base = { ...EMPTY_FIELDS, uin: '10005' };

  it('builds simulator and upstream records', () => {
    expect(recordOf(base)).toEqual({ driver: 'simulator', options: {}, enabled: true });
    expect(recordOf({ ...base, simUrl: ' http://sim:5900 ' })).toEqual({
      driver: 'simulator',
      options: { url: 'http://sim:5900' },
      enabled: true,
    });
    expect(
      recordOf({
        ...base,
        driver: 'onebot',
        url: 'ws://nap:3001',
        flavor: 'napcat',
        enabled: false,
      }),
    ).toEqual({
      driver: 'onebot',
      options: { mode: 'forward', url: 'ws://nap:3001', flavor: 'napcat' },
      enabled: false,
    });
    expect(recordOf({ ...base, driver: 'onebot', mode: 'reverse', token: 's3cret' })).toEqual({
      driver: 'onebot',
      options: { mode: 'reverse', flavor: 'auto', token: 's3cret' },
      enabled: true,
    });
  });

  it('says what an upstream lacks', () => {
    expect(recordOf({ ...base, driver: 'onebot' })).toMatch(/URL/);
    expect(recordOf({ ...base, driver: 'onebot', mode: 'reverse' })).toMatch(/token/);
  });

  it('replacing an existing account keeps its own endpoints (the form has none)', () => {
    const record = { driver: 'simulator' as const, options: {}, enabled: true };
    const endpoints = { http_post: [{ url: 'http://bot:8080/' }], ws_reverse: [] };
    expect(keepEndpoints(record, { uin: 10001, driver: 'onebot', endpoints })).toEqual({
      ...record,
      endpoints,
    });
    expect(keepEndpoints(record, { uin: 10001, driver: 'onebot' })).toEqual(record);
    expect(keepEndpoints(record, null)).toEqual(record);
  });
});

describe('polling and sparklines', () => {
  it('backs off gently, up to 10 s', () => {
    expect([0, 1, 2, 3, 6, 20].map(backoffMs)).toEqual([1000, 1500, 2250, 3375, 10_000, 10_000]);
  });

  it('draws a series into its box', () => {
    expect(sparkPoints([], 60, 18)).toBe('');
    expect(sparkPoints([0, 2, 4], 62, 18)).toBe('1.0,17.0 31.0,9.0 61.0,1.0');
    expect(sparkPoints([0.5], 60, 18)).toBe('30.0,9.0');
  });
});
