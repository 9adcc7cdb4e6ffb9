import { describe, expect, it } from 'vitest';
import { actionsOwnedBy } from '@cqfleet/onebot';
import {
  FULL_GRANT,
  gatewayHandlers,
  RecentIds,
  roleOf,
  TokenTable,
  tokenFrom,
} from '@cqfleet/gateway';

const q = (s = '') => new URLSearchParams(s);

describe('auth - tokens as go-cqhttp reads them', () => {
  it.each([
    ['Bearer abc', 'abc'],
    ['Token abc', 'abc'],
    ['Foo abc', 'abc'],
    ['abc', 'abc'],
  ])('Authorization %j gives %j', (header, token) => {
    expect(tokenFrom({ authorization: header }, q())).toBe(token);
  });

  it('the query token is used only without the header', () => {
    expect(tokenFrom({}, q('access_token=xyz'))).toBe('xyz');
    expect(tokenFrom({ authorization: 'Bearer h' }, q('access_token=xyz'))).toBe('h');
  });

  it('401 when missing, 403 when wrong, a grant when right; open when no token exists', () => {
    const table = new TokenTable('s3cret', [
      { token: 'alpha', accounts: [10001], actions: ['get_msg'] },
    ]);
    expect(table.authenticate({}, q())).toEqual({ ok: false, status: 401 });
    expect(table.authenticate({}, q('access_token='))).toEqual({ ok: false, status: 401 });
    expect(table.authenticate({ authorization: 'Bearer nope' }, q())).toEqual({
      ok: false,
      status: 403,
    });
    expect(table.authenticate({ authorization: 'Bearer s3cret' }, q())).toEqual({
      ok: true,
      grant: FULL_GRANT,
    });
    const alpha = table.authenticate({}, q('access_token=alpha'));
    expect(alpha.ok && [alpha.grant.accounts, alpha.grant.actions]).toEqual([
      new Set([10001]),
      new Set(['get_msg']),
    ]);
    expect(new TokenTable('', []).authenticate({}, q('access_token='))).toEqual({
      ok: true,
      grant: FULL_GRANT,
    });
  });
});

describe('forward WS roles', () => {
  it.each([
    ['/api', 'api'],
    ['/api/', 'api'],
    ['/event', 'event'],
    ['/event/', 'event'],
    ['/', 'universal'],
    ['/foo', 'universal'],
    ['/api/x', 'universal'],
  ])('%s is %s', (path, role) => {
    expect(roleOf(path)).toBe(role);
  });
});

describe('event de-duplication window', () => {
  it('delivers an id once while it is among the most recent ids', () => {
    const recent = new RecentIds(3);
    expect(['a', 'b', 'a', 'c', 'b'].map(id => recent.add(id))).toEqual([
      true,
      true,
      false,
      true,
      false,
    ]);
    recent.add('d'); // evicts a
    expect(recent.add('a')).toBe(true);
    expect(recent.add('c')).toBe(false);
    // Full, each new id evicts the oldest: b went when a came back.
    expect(recent.add('b')).toBe(true); // evicts c
    expect(recent.add('e')).toBe(true); // evicts d
    expect(recent.add('c')).toBe(true); // evicts a
    expect(recent.add('e')).toBe(false);
    expect(recent.add('d')).toBe(true);
  });

  it('costs memory for the ids seen, not for the whole window: 1,000 quiet accounts', () => {
    const before = process.memoryUsage().heapUsed;
    const windows = Array.from({ length: 1_000 }, (_, i) => {
      const recent = new RecentIds(); // the default window, 8,192 ids
      recent.add(`event ${i}`);
      return recent;
    });
    const grown = process.memoryUsage().heapUsed - before;
    expect(windows).toHaveLength(1_000);
    // A window allocated whole is 64 KB: 64 MB here.
    expect(grown).toBeLessThan(8 * 1024 * 1024);
  });
});

describe('gateway - the action table does not lie', () => {
  it('there is a handler for exactly the gateway actions marked ready', () => {
    expect(Object.keys(gatewayHandlers).sort()).toEqual(actionsOwnedBy('gateway', 'ready').sort());
  });
});
