/**
 * @cqfleet/runtime — what every cqfleet service needs at run time.
 *
 * ```ts
 * const common = readCommonConfig(process.env);
 * const log = createLogger('gateway', common.logLevel);
 * runService(log, async () => {
 *   const nc = await connectNats(common.natsUrl, 'gateway', log);
 *   announceReady(log, { http: 5700 });
 *   return async () => { await nc.drain(); };
 * });
 * ```
 */
export type { RegistryChange } from './account-registry.js';
export { AccountRegistry } from './account-registry.js';
export type { AdminProbe } from './admin-http.js';
export { startAdminServer, startOptionalAdmin } from './admin-http.js';
export { Budget, Slots } from './budget.js';
export type { CommonConfig, Env, EventStreamLimits, RedisTarget } from './env.js';
export {
  describeRedis,
  DEFAULT_NATS_URL,
  DEFAULT_REDIS_URL,
  envBool,
  envInt,
  envList,
  readCommonConfig,
  readPrefixed,
} from './env.js';
export type { GrpcService, StartedGrpcServer } from './grpc.js';
export { CHANNEL_OPTIONS, insecure, startGrpcServer } from './grpc.js';
export type { Closable, Closing } from './http-close.js';
export { closeHttpServer, stopAccepting } from './http-close.js';
export { InFlight } from './in-flight.js';
export { localFile, pathOf } from './local-files.js';
export {
  counter,
  enableProcessMetrics,
  gauge,
  histogram,
  metricsRegistry,
  secondsSince,
} from './metrics.js';
export type { RunOptions, Stop } from './lifecycle.js';
export { runService } from './lifecycle.js';
export type { ServiceEntry } from './service-main.js';
export { serviceMain } from './service-main.js';
export type { Logger, LogLevel } from './logger.js';
export { announceReady, createLogger, LOG_LEVELS } from './logger.js';
export type { EventStreamOptions, NatsConnection } from './nats.js';
export { connectNats, ensureEventStream, NS_PER_MS, onNatsStatus } from './nats.js';
export { connectRedis, Redis, redisReady } from './redis.js';
export { FrameJoiner, publishFrame } from './relay-frames.js';
export type { Held, LeaseCandidate, LeaseGroupOptions } from './lease-group.js';
export { BodyTooLarge, readBounded } from './bounded-body.js';
export { canonicalJson } from './canonical-json.js';
export {
  describeJsonShape,
  jsonDeeperThan,
  type JsonShapeProblem,
  jsonShapeProblem,
  jsonValuesWithin,
  MAX_JSON_DEPTH,
  MAX_JSON_VALUES,
} from './json-depth.js';
export { LeaseGroup } from './lease-group.js';
export type { Renewal, RenewResult } from './leases.js';
export { LeaseStore } from './leases.js';
export type { WithHeaders } from './nats-headers.js';
export { headerValue } from './nats-headers.js';
export { backoff, sleep, unixTime, within } from './time.js';
export type { PublishHeaders, StreamAck } from './stream-publisher.js';
export { StreamPublisher } from './stream-publisher.js';
export type { TurnSocket } from './ws-batch.js';
export { sendInTurn } from './ws-batch.js';
export type {
  BatchHandler,
  DurableConsumerConfig,
  DurableConsumerHandler,
  DurableConsumerOptions,
  EachBatch,
  EachMessage,
  MessageHandler,
} from './durable-consumer.js';
export { DurableConsumer } from './durable-consumer.js';
export type { StreamMessage } from './gathered-pulls.js';
