/**
 * Binding a durable JetStream consumer by name (durable-consumer.ts): the one that exists, with
 * the settings JetStream edits in place brought to the configured ones, or a new one created
 * with the configuration given.
 */
import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerInfo,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
} from '@nats-io/jetstream';
import type { Logger } from './logger.js';

/** Settings an existing consumer is brought to (JetStream edits them in place). */
const TUNABLE = ['ack_wait', 'max_ack_pending', 'inactive_threshold'] as const;

/** The consumer's settings when it is created; `durable_name` is the consumer's `name`. */
export type DurableConsumerConfig = Omit<Partial<ConsumerConfig>, 'durable_name' | 'name'>;

/**
 * The consumer `name` of `stream`: bound when it exists (its TUNABLE settings updated where
 * `config` names other values, so a new release's values reach consumers made by an old one),
 * else created with `config` (`ack_policy` explicit unless it says otherwise). Rejects when
 * neither is possible now (no JetStream, no stream).
 */
export async function bindConsumer(
  jsm: JetStreamManager,
  stream: string,
  name: string,
  config: DurableConsumerConfig,
  log: Logger,
): Promise<ConsumerInfo> {
  try {
    return await tuned(jsm, await jsm.consumers.info(stream, name), config, log);
  } catch (err) {
    if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.ConsumerNotFound))
      throw err;
  }
  try {
    return await jsm.consumers.add(stream, {
      ack_policy: AckPolicy.Explicit,
      ...config,
      durable_name: name,
    });
  } catch (err) {
    // Another process created it between our info and add (with other settings).
    return await jsm.consumers.info(stream, name).catch(() => {
      throw err;
    });
  }
}

/** `info` with its TUNABLE settings brought to the configured ones, when they differ. */
async function tuned(
  jsm: JetStreamManager,
  info: ConsumerInfo,
  config: DurableConsumerConfig,
  log: Logger,
): Promise<ConsumerInfo> {
  const changes: Partial<ConsumerConfig> = {};
  for (const key of TUNABLE) {
    const want = config[key];
    if (want !== undefined && info.config[key] !== want) Object.assign(changes, { [key]: want });
  }
  if (Object.keys(changes).length === 0) return info;
  log.info({ consumer: info.name, changes }, 'consumer settings updated');
  return jsm.consumers.update(info.stream_name, info.name, changes);
}
