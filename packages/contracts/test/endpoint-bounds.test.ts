/**
 * An endpoint's delays are read within bounds Node's timers keep (a delay over 2^31-1 ms runs
 * after 1 ms: an unbounded retry interval posted to a receiver in a loop), and an account
 * record carries a bounded number of endpoints.
 */
import { describe, expect, it } from 'vitest';
import {
  AccountEndpoints,
  HttpPostEndpoint,
  MAX_ACCOUNT_ENDPOINTS,
  MAX_ENDPOINT_INTERVAL_MS,
  MAX_ENDPOINT_TIMEOUT_MS,
  ReverseWsEndpoint,
} from '@cqfleet/contracts';

const url = 'http://127.0.0.1:8080/';

describe('endpoint bounds', () => {
  it('reads an HTTP POST receiver with delays past the bounds as the bounds, defaults as before', () => {
    expect(HttpPostEndpoint.parse({ url })).toMatchObject({
      timeout_ms: 5_000,
      retry_interval_ms: 1_500,
      max_retry_interval_ms: 30_000,
    });
    const huge = 2 ** 40;
    expect(
      HttpPostEndpoint.parse({
        url,
        timeout_ms: huge,
        retry_interval_ms: huge,
        max_retry_interval_ms: huge,
      }),
    ).toMatchObject({
      timeout_ms: MAX_ENDPOINT_TIMEOUT_MS,
      retry_interval_ms: MAX_ENDPOINT_INTERVAL_MS,
      max_retry_interval_ms: MAX_ENDPOINT_INTERVAL_MS,
    });
    expect(MAX_ENDPOINT_INTERVAL_MS).toBeLessThan(2 ** 31 - 1);
    expect(
      ReverseWsEndpoint.parse({ universal: 'ws://127.0.0.1:9/', reconnect_interval_ms: huge })
        .reconnect_interval_ms,
    ).toBe(MAX_ENDPOINT_INTERVAL_MS);
  });

  it(`refuses an account record with more than ${MAX_ACCOUNT_ENDPOINTS} endpoints of a kind`, () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => ({ url: `${url}${i}` }));
    expect(AccountEndpoints.safeParse({ http_post: many(MAX_ACCOUNT_ENDPOINTS) }).success).toBe(
      true,
    );
    expect(AccountEndpoints.safeParse({ http_post: many(MAX_ACCOUNT_ENDPOINTS + 1) }).success).toBe(
      false,
    );
  });
});
