/**
 * What reaches the router as an action's parameters over HTTP: the query, the form and the
 * JSON body merged, and never the `access_token` a client authenticated with (an action the
 * table does not know goes to an upstream implementation with its parameters unchanged).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ok } from '@cqfleet/onebot';
import type { ActionCalls } from '../src/routing/router.js';
import { OP, type Running, startHttpApi } from './in-process.js';

const running: Running[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map(r => r.close()));
});

function recordingRouter() {
  const seen: Array<{ action: string; params: Record<string, unknown> }> = [];
  const router: ActionCalls = {
    async call(action, params) {
      seen.push({ action, params: { ...(params as Record<string, unknown>) } });
      return ok(null);
    },
  };
  return { router, seen };
}

describe('HTTP API parameters', () => {
  it('the query token authenticates and is not passed on as a parameter', async () => {
    const { router, seen } = recordingRouter();
    const api = await startHttpApi({}, router);
    running.push(api);
    const res = await fetch(
      `${api.url}/10001/nt_only_extension?access_token=${OP}&group_id=5&note=x`,
    );
    expect(res.status).toBe(200);
    expect(seen).toEqual([{ action: 'nt_only_extension', params: { group_id: '5', note: 'x' } }]);
  });

  it('a JSON body keeps what the client put in it, the query token still dropped', async () => {
    const { router, seen } = recordingRouter();
    const api = await startHttpApi({}, router);
    running.push(api);
    const res = await fetch(`${api.url}/10001/send_msg?access_token=${OP}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ group_id: 5, message: 'hi' }),
    });
    expect(res.status).toBe(200);
    expect(seen[0]?.params).toEqual({ group_id: 5, message: 'hi' });
  });
});
