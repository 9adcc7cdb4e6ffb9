/**
 * What history takes from a QQ-side read is bounded (MAX_QQ_READ_BYTES): an upstream padding
 * its answer to tens of MiB gets RESULT_TOO_LARGE, not its bytes held by history (a forward
 * expansion reads several at once).
 */
import { formatLease, Namespace } from '@cqfleet/contracts';
import { MAX_QQ_READ_BYTES, QQSideReader, qqSideService } from '@cqfleet/rpc';
import {
  connectRedis,
  createLogger,
  type Redis,
  startGrpcServer,
  type StartedGrpcServer,
} from '@cqfleet/runtime';
import { testInfra, uniqueNamespace } from '@cqfleet/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const log = createLogger('test', 'silent');
let server: StartedGrpcServer | undefined;
afterEach(async () => {
  await server?.stop(1_000);
  server = undefined;
});
let redis: Redis;
beforeAll(() => {
  redis = connectRedis(testInfra().redisUrl, 'test', log);
});
afterAll(() => redis?.disconnect());

describe('a QQ-side read history takes', () => {
  it('is refused RESULT_TOO_LARGE past MAX_QQ_READ_BYTES; one within it is answered', async () => {
    let size = 1024;
    server = await startGrpcServer('127.0.0.1:0', [
      qqSideService(
        async () =>
          [
            {
              user_id: 1,
              nickname: 'a',
              time: 1,
              message: [{ type: 'text', data: { text: 'x'.repeat(size) } }],
            },
          ] as never,
        log,
      ),
    ]);
    const ns = new Namespace(uniqueNamespace('qqread'));
    await redis.set(ns.leaseKey(10001), formatLease({ workerId: 'w1', fence: 1 }));
    await redis.hset(
      ns.workersKey,
      'w1',
      JSON.stringify({ id: 'w1', grpc: `127.0.0.1:${server.port}`, startedAt: 1, heartbeatAt: 1 }),
    );
    const reader = new QQSideReader(redis, ns, 10_000);
    try {
      const nodes = await reader.read(10001, 'forward', { resid: 'r' });
      expect(nodes).toHaveLength(1);
      size = MAX_QQ_READ_BYTES;
      await expect(reader.read(10001, 'forward', { resid: 'r' })).rejects.toMatchObject({
        msg: 'RESULT_TOO_LARGE',
      });
      // Far past it: refused by the channel as it arrives, never held whole.
      size = MAX_QQ_READ_BYTES + 1024 * 1024;
      await expect(reader.read(10001, 'forward', { resid: 'r' })).rejects.toMatchObject({
        msg: 'RESULT_TOO_LARGE',
        wording: expect.stringContaining('未收下'),
      });
    } finally {
      reader.close();
    }
  }, 30_000);
});
