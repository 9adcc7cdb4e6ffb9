/**
 * JSON that a byte bound lets through but that would cost a replica every tenant shares far
 * more once parsed — nested past 64 levels, or a million tiny values — is refused before it is
 * parsed, on HTTP and on the forward WebSocket alike, with REQUEST_TOO_LARGE.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ok } from '@cqfleet/onebot';
import { MAX_JSON_VALUES } from '@cqfleet/runtime';
import type { ActionCalls } from '../src/routing/router.js';
import { MAX_FORM_FIELDS } from '../src/transports/http-body.js';
import { OP, type Running, startForwardWs, startHttpApi } from './in-process.js';

const running: Running[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map(r => r.close()));
});

function countingRouter() {
  const seen: unknown[] = [];
  const router: ActionCalls = {
    async call(_action, params) {
      seen.push(params);
      return ok(null);
    },
  };
  return { router, seen };
}

/** Within the byte caps: a few MiB. */
const manyValues = `{"group_id":5,"message":[${'{},'.repeat(MAX_JSON_VALUES)}{}]}`;
const deep = `{"group_id":5,"message":${'['.repeat(100)}${']'.repeat(100)}}`;

describe('JSON of a hostile shape', () => {
  it('HTTP: a body of a million values or nested past 64 levels is 413, never parsed', async () => {
    const { router, seen } = countingRouter();
    const api = await startHttpApi({}, router);
    running.push(api);
    for (const body of [manyValues, deep]) {
      const res = await fetch(`${api.url}/10001/send_msg?access_token=${OP}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ status: 'failed', msg: 'REQUEST_TOO_LARGE' });
    }
    // A form value of that shape stays text: it reaches the action as a string.
    const form = new URLSearchParams({ group_id: '5', message: deep });
    const res = await fetch(`${api.url}/10001/send_msg?access_token=${OP}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect(res.status).toBe(200);
    expect(seen).toEqual([{ group_id: '5', message: deep }]);
  });

  it('HTTP form: values share one budget of JSON values; a form of too many fields is 413', async () => {
    const { router, seen } = countingRouter();
    const api = await startHttpApi({}, router);
    running.push(api);
    const post = (body: string) =>
      fetch(`${api.url}/10001/send_msg?access_token=${OP}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
    // Three fields of 200,000 objects (about 400,000 values) each: two parse, the third stays text.
    const part = `[${'{},'.repeat(199_999)}{}]`;
    const res = await post(`a=${part}&b=${part}&c=${part}`);
    expect(res.status).toBe(200);
    const params = seen[0] as Record<string, unknown>;
    expect(Array.isArray(params.a) && Array.isArray(params.b)).toBe(true);
    expect(params.c).toBe(part);
    const fields = await post(Array.from({ length: MAX_FORM_FIELDS + 1 }, () => 'a').join('&'));
    expect(fields.status).toBe(413);
    expect(await fields.json()).toMatchObject({ msg: 'REQUEST_TOO_LARGE' });
    expect(seen).toHaveLength(1);
  });

  it('forward WebSocket: such a frame is answered REQUEST_TOO_LARGE, the connection stays', async () => {
    const { router, seen } = countingRouter();
    const ws = await startForwardWs({}, router);
    running.push(ws);
    const client = new WebSocket(`${ws.url}/10001/api`, {
      headers: { authorization: `Bearer ${OP}` },
    });
    await new Promise((resolve, reject) => {
      client.once('open', resolve);
      client.once('error', reject);
    });
    const answers: unknown[] = [];
    client.on('message', data => answers.push(JSON.parse(data.toString())));
    const waitFor = (n: number) =>
      expect.poll(() => answers.length, { timeout: 5_000 }).toBeGreaterThanOrEqual(n);
    client.send(`{"action":"send_msg","params":${manyValues}}`);
    await waitFor(1);
    client.send(`{"action":"send_msg","params":${deep},"echo":1}`);
    await waitFor(2);
    client.send(JSON.stringify({ action: 'send_msg', params: { group_id: 5, message: 'hi' } }));
    await waitFor(3);
    client.close();
    expect(answers.slice(0, 2)).toMatchObject([
      { status: 'failed', msg: 'REQUEST_TOO_LARGE' },
      { status: 'failed', msg: 'REQUEST_TOO_LARGE' },
    ]);
    expect(answers[2]).toMatchObject({ status: 'ok' });
    expect(seen).toHaveLength(1);
  });
});
