/** Composes the history service: consumer, store and the gRPC services. */
import { Namespace } from '@cqfleet/contracts';
import { GetMessageReply, type HistoryServer, HistoryService } from '@cqfleet/proto';
import { status } from '@grpc/grpc-js';
import { actionsService } from '@cqfleet/rpc';
import {
  connectNats,
  connectRedis,
  ensureEventStream,
  type Logger,
  redisReady,
  startGrpcServer,
} from '@cqfleet/runtime';
import { AccountCalls, createExecutor } from './executor.js';
import { finder, settler } from './finder.js';
import { historyHandlers } from './handlers/index.js';
import type { Config } from './config.js';
import { HistoryConsumer } from './consumer.js';
import { QQBacked } from './qq-backed.js';
import { QQSide } from './qq-side.js';
import { RetentionSweeper } from './retention.js';
import { SizeReporter } from './size-report.js';
import { MessageStore, publishLayout } from '@cqfleet/history-store';

export interface RunningHistory {
  grpc: string;
  consumer: HistoryConsumer;
  sweeper: RetentionSweeper;
  store: MessageStore;
  stop(): Promise<void>;
}

export async function startHistory(config: Config, log: Logger): Promise<RunningHistory> {
  const ns = new Namespace(config.namespace);
  const nc = await connectNats(config.natsUrl, 'history', log);
  await ensureEventStream(nc, ns, config.eventStream);
  const redis = connectRedis(config.redis, 'history', log);
  // The event consumer's writes have a connection of their own: Redis answers one connection's
  // commands in order, and on a shared one every tenant's events waited behind whatever reads
  // the actions had queued (a tenant's flood of pages).
  const writes = connectRedis(config.redis, 'history writes', log);
  await Promise.all([redisReady(redis), redisReady(writes)]);
  const storeOptions = {
    idSlots: config.idSlots,
    keepPerChat: config.keepPerChat,
    maxAgeS: config.maxAgeS,
    compressFrom: config.compressFrom > 0 ? config.compressFrom : Infinity,
  };
  const store = new MessageStore(redis, ns, storeOptions);
  // What the gateway needs to read get_msg from the store itself (history-store layout.ts).
  await publishLayout(redis, ns, { idSlots: config.idSlots });
  const consumer = new HistoryConsumer(
    nc,
    ns,
    new MessageStore(writes, ns, storeOptions),
    log,
    config,
  );
  await consumer.start();
  const sweeper = new RetentionSweeper(store, config.sweepEveryMs, log);
  sweeper.start();
  const sizes = new SizeReporter(redis, store, ns, config.sizeEveryMs, log);
  sizes.start();
  const qqSide = new QQSide(redis, ns);
  const find = finder(store, consumer, config.catchUpMs, qqSide);
  const qq = new QQBacked(store, qqSide);
  const settle = settler(consumer, config.catchUpMs, log);

  const calls = new AccountCalls(config.maxInFlightPerAccount);
  const lookup: HistoryServer = {
    getMessage(call, callback) {
      let leave: () => void;
      try {
        leave = calls.enter(call.request.selfId);
      } catch (err) {
        // The caller (@cqfleet/rpc history-client.ts) answers it RATE_LIMIT_QUEUE_FULL.
        callback({ code: status.RESOURCE_EXHAUSTED, details: (err as Error).message }, null);
        return;
      }
      find(call.request.selfId, call.request.messageId)
        .finally(leave)
        .then(m =>
          callback(
            null,
            GetMessageReply.fromPartial({
              found: !!m,
              recordJson: Buffer.from(m ? JSON.stringify(m) : ''),
            }),
          ),
        )
        .catch((err: Error) => callback(err, null));
    },
  };
  const grpc = await startGrpcServer(`${config.grpcHost}:${config.grpcPort}`, [
    actionsService(createExecutor(historyHandlers(store, find, qq, settle), calls), log),
    { definition: HistoryService, implementation: lookup },
  ]);

  return {
    grpc: `${config.grpcHost}:${grpc.port}`,
    consumer,
    sweeper,
    store,
    stop: async () => {
      await grpc.stop(3_000);
      qqSide.close();
      await sweeper.stop();
      await sizes.stop();
      await consumer.stop();
      await nc.drain().catch(() => undefined);
      redis.disconnect();
      writes.disconnect();
    },
  };
}
