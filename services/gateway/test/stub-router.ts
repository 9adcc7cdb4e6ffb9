/**
 * The real ActionRouter for unit tests, with what lies behind it stubbed: every account exists
 * and is owned by one session worker whose calls wait until the test releases them
 * (`held`), so a test sees how much work a client has started and when it ends. No NATS,
 * Redis or gRPC.
 */
import type { MediaClient } from '@cqfleet/media-client';
import type { ActionReply } from '@cqfleet/proto';
import type { ActionChannels } from '@cqfleet/rpc';
import type { AccountDirectory } from '../src/accounts/directory.js';
import type { LongPoll } from '../src/events/long-poll.js';
import type { FilterRegistry } from '../src/events/filter-registry.js';
import { ActionRouter } from '../src/routing/router.js';
import type { StoredMessages } from '../src/routing/stored-messages.js';
import { silent } from './in-process.js';

export interface StubbedRouter {
  router: ActionRouter;
  /** Session calls sent so far. */
  calls(): number;
  /** Releases of the session calls not answered yet (each answers ok). */
  held: Array<() => void>;
}

export function stubRouter(services: { longPoll?: LongPoll } = {}): StubbedRouter {
  let calls = 0;
  const held: Array<() => void> = [];
  const directory = {
    has: () => true,
    isUpstream: () => false,
    ownerWithin: async () => ({ grpc: 'worker:1', fence: 1, worker: 'w1' }),
    invalidate: () => undefined,
  } as unknown as AccountDirectory;
  const channels = {
    get: () => ({
      call: () =>
        new Promise<ActionReply>(resolve => {
          calls++;
          held.push(() =>
            resolve({
              callId: 0,
              executed: true,
              retcode: 0,
              dataJson: Buffer.from('{"message_id":1}'),
              msg: '',
              wording: '',
            } as ActionReply),
          );
        }),
    }),
  } as unknown as ActionChannels;
  const router = new ActionRouter(
    directory,
    channels,
    {} as MediaClient,
    {
      historyAddr: 'history:1',
      actionTimeoutMs: 30_000,
      asyncMode: 'background',
      rateLimitIntervalMs: 0,
      rateLimitQueue: 100,
    },
    { filters: {} as FilterRegistry, longPoll: services.longPoll, log: silent },
    {} as StoredMessages,
    silent,
  );
  return { router, calls: () => calls, held };
}
