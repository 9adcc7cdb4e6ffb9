/**
 * The HTTP API's rate limit (`rate_limit`, go-cqhttp's frequency/bucket) for many tenants, in
 * process: one bucket per account, so one tenant's waiting requests never delay another's; at
 * most GATEWAY_HTTP_RATE_LIMIT_QUEUE requests of an account wait, more are refused at once with
 * RATE_LIMIT_QUEUE_FULL; an account named by the path or X-Self-ID gets its turn before its
 * body is read; a client that leaves while waiting leaves the queue.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OP, refused, type Running, startHttpApi } from './in-process.js';
import { bodyOf, rawConnect } from './raw-socket.js';

let api: Running | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

interface Envelope {
  status: string;
  retcode: number;
  msg?: string;
}

const get = (selfId: number, signal?: AbortSignal) =>
  fetch(`${api!.url}/${selfId}/get_login_info?access_token=${OP}`, { signal }).then(
    r => r.json() as Promise<Envelope>,
  );

describe('HTTP rate limit - one bucket per account', () => {
  it('one account’s full queue neither delays another account nor grows: RATE_LIMIT_QUEUE_FULL at once', async () => {
    api = await startHttpApi({
      rateLimit: { enabled: true, frequency: 2, bucket: 1 },
      rateLimitQueue: 5,
    });
    const before = await refused('http_rate_limit_full');
    const started = Date.now();
    const flood = Array.from({ length: 10 }, () =>
      get(10001).then(a => ({ ...a, ms: Date.now() - started })),
    );
    await new Promise(r => setTimeout(r, 100));
    // Another tenant's account is answered at once, not after 10001's queue (4.5 s).
    const t = Date.now();
    expect(await get(10002)).toMatchObject({ status: 'ok' });
    expect(Date.now() - t).toBeLessThan(400);
    const answers = await Promise.all(flood);
    // 1 went at once, 5 waited for tokens (2/s), 4 were refused without waiting.
    const full = answers.filter(a => a.msg === 'RATE_LIMIT_QUEUE_FULL');
    expect(full).toHaveLength(4);
    expect(full.every(a => a.retcode === 100 && a.ms < 1_000)).toBe(true);
    expect(answers.filter(a => a.status === 'ok')).toHaveLength(6);
    expect(Math.max(...answers.map(a => a.ms))).toBeGreaterThanOrEqual(2_000);
    expect(await refused('http_rate_limit_full')).toBe(before + 4);
  }, 15_000);

  it('an account named by the path gets its turn before its body is read: a refusal comes before the body', async () => {
    api = await startHttpApi({
      rateLimit: { enabled: true, frequency: 0.5, bucket: 1 },
      rateLimitQueue: 1,
    });
    expect(await get(10001)).toMatchObject({ status: 'ok' }); // the token
    const waiting = get(10001); // the one waiter
    await new Promise(r => setTimeout(r, 100));
    const conn = await rawConnect(api.port);
    // Headers only: the 1,000 bytes of body are never sent.
    conn.socket.write(
      `POST /10001/send_msg HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${OP}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`,
    );
    const response = await conn.closed(1_500);
    expect(response).toMatch(/^HTTP\/1\.1 200 /);
    expect(response.toLowerCase()).toContain('connection: close');
    expect(bodyOf(response)).toMatchObject({ status: 'failed', msg: 'RATE_LIMIT_QUEUE_FULL' });
    expect(await waiting).toMatchObject({ status: 'ok' });
  });

  it('a client that leaves while waiting for a token leaves the queue', async () => {
    api = await startHttpApi({
      rateLimit: { enabled: true, frequency: 1, bucket: 1 },
      rateLimitQueue: 1,
    });
    expect(await get(10001)).toMatchObject({ status: 'ok' });
    const client = new AbortController();
    const gone = get(10001, client.signal).catch(() => 'aborted');
    await new Promise(r => setTimeout(r, 100));
    client.abort();
    expect(await gone).toBe('aborted');
    await new Promise(r => setTimeout(r, 100));
    // Its place is free: this one waits for the next token instead of being refused.
    expect(await get(10001)).toMatchObject({ status: 'ok' });
  });
});
