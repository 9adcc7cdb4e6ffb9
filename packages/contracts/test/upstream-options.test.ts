/**
 * An upstream account's `timeoutMs` is bounded (registry.ts UPSTREAM_MAX_TIMEOUT_MS): Node runs
 * a timer whose delay is over 2^31-1 ms after 1 ms, so an unbounded value made every action of
 * the account, login included, time out at once.
 */
import { describe, expect, it } from 'vitest';
import { driverOptionsProblem, UpstreamOptions } from '@cqfleet/contracts';

const url = 'ws://127.0.0.1:3001';

describe('registry - upstream options', () => {
  it('timeoutMs up to 10 minutes is accepted; 30 s by default', () => {
    expect(UpstreamOptions.parse({ url }).timeoutMs).toBe(30_000);
    expect(UpstreamOptions.parse({ url, timeoutMs: 600_000 }).timeoutMs).toBe(600_000);
  });

  it.each([600_001, 2 ** 31, 2 ** 40])(
    'timeoutMs %d is refused for a new account, with the field named; a stored one reads 10 minutes',
    ms => {
      expect(driverOptionsProblem({ driver: 'onebot', options: { url, timeoutMs: ms } })).toMatch(
        /^options\.timeoutMs: /,
      );
      // A record stored before the bound still starts: its driver waits 10 minutes.
      expect(UpstreamOptions.parse({ url, timeoutMs: ms }).timeoutMs).toBe(600_000);
    },
  );
});
