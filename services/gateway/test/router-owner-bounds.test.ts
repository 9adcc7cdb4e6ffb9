/**
 * The router against a real session-worker gRPC server in this process (the account directory
 * stubbed: no Redis):
 * - a slow action is answered by the worker's TIMEOUT, which arrives before the gateway stops
 *   waiting (the worker's deadline is a margin shorter), and the owner stays cached;
 * - a worker that does not answer at all is SESSION_UNAVAILABLE and its owner entry dropped;
 * - an upstream account's unknown actions and own failure tags add no metric series.
 */
import type { MediaClient } from '@cqfleet/media-client';
import { OneBotError } from '@cqfleet/onebot';
import { ActionsService } from '@cqfleet/proto';
import { ActionChannels, actionsService, type Execute } from '@cqfleet/rpc';
import { metricsRegistry, startGrpcServer, type StartedGrpcServer } from '@cqfleet/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import type { AccountDirectory } from '../src/accounts/directory.js';
import type { FilterRegistry } from '../src/events/filter-registry.js';
import { ActionRouter } from '../src/routing/router.js';
import type { StoredMessages } from '../src/routing/stored-messages.js';
import { silent } from './in-process.js';

/** The gateway's wait and the worker's own bound, equal as in the default settings (30 s). */
const ACTION_TIMEOUT_MS = 1_000;

let server: StartedGrpcServer | undefined;
let channels: ActionChannels | undefined;

afterEach(async () => {
  channels?.closeAll();
  await server?.stop(100);
  server = channels = undefined;
});

interface Routed {
  router: ActionRouter;
  invalidated: number[];
}

async function route(worker: StartedGrpcServer, upstream = false): Promise<Routed> {
  server = worker;
  channels = new ActionChannels(silent);
  const invalidated: number[] = [];
  const owner = { grpc: `127.0.0.1:${worker.port}`, fence: 1, workerId: 'w1' };
  const directory = {
    has: () => true,
    isUpstream: () => upstream,
    ownerWithin: async () => owner,
    invalidate: (uin: number) => void invalidated.push(uin),
  } as unknown as AccountDirectory;
  const router = new ActionRouter(
    directory,
    channels,
    {} as MediaClient,
    {
      historyAddr: '127.0.0.1:1',
      actionTimeoutMs: ACTION_TIMEOUT_MS,
      asyncMode: 'background',
      rateLimitIntervalMs: 0,
      rateLimitQueue: 100,
    },
    { filters: {} as FilterRegistry, log: silent },
    {} as StoredMessages,
    silent,
  );
  return { router, invalidated };
}

/** A session worker serving `execute`, bounded as the session bounds it (its action timeout). */
const worker = (execute: Execute) =>
  startGrpcServer('127.0.0.1:0', [actionsService(execute, silent, { maxMs: ACTION_TIMEOUT_MS })]);

const send = { group_id: 100100, message: 'hi' };
const opts = { selfId: 10001, format: 'string' as const };

describe('gateway router - the owner answers before the gateway gives up', () => {
  it('a slow action is answered TIMEOUT; the owner stays cached', async () => {
    const { router, invalidated } = await route(
      await worker(async (_r, signal) => {
        await new Promise(resolve => signal.addEventListener('abort', resolve));
      }),
    );
    const reply = await router.call('send_group_msg', send, opts);
    expect(reply).toMatchObject({ status: 'failed', msg: 'TIMEOUT' });
    expect(invalidated).toEqual([]);
  });

  it('a worker that never answers is SESSION_UNAVAILABLE; its owner entry is dropped', async () => {
    // Reads every call and answers none, as a worker whose event loop is stuck.
    const mute = await startGrpcServer('127.0.0.1:0', [
      {
        definition: ActionsService,
        implementation: { call: () => undefined, invoke: () => undefined },
      },
    ]);
    const { router, invalidated } = await route(mute);
    const reply = await router.call('send_group_msg', send, opts);
    expect(reply).toMatchObject({ status: 'failed', msg: 'SESSION_UNAVAILABLE' });
    expect(invalidated).toEqual([10001]);
  });
});

async function series(name: string): Promise<number> {
  const metric = metricsRegistry.getSingleMetric(name);
  return metric ? (await metric.get()).values.length : 0;
}

describe('gateway router - metric labels', () => {
  it("an upstream's unknown actions, tags and retcodes add no series", async () => {
    const { router } = await route(
      await worker(async r => {
        const n = r.action.length;
        throw OneBotError.fromFailure(500 + n, `UPSTREAM_TAG_${n}`, `上游失败 ${n}`);
      }),
      true,
    );
    const call = (n: number) => router.call(`vendor_${'x'.repeat(n)}`, {}, opts);
    expect(await call(0)).toMatchObject({ status: 'failed', msg: 'UPSTREAM_TAG_7' });
    const requests = await series('cqfleet_gateway_requests_total');
    const seconds = await series('cqfleet_gateway_request_seconds');
    for (let n = 1; n <= 50; n++) await call(n);
    expect(await series('cqfleet_gateway_requests_total')).toBe(requests);
    expect(await series('cqfleet_gateway_request_seconds')).toBe(seconds);
  });
});
