/**
 * History as separate processes on a real stream: two replicas share the durable consumer, one
 * is killed (SIGKILL) in the middle of a burst, and nothing is lost or stored twice — the
 * killed replica's unacknowledged events go to the other after the ack wait.
 */
import { EVENT_ID_HEADER, Namespace } from '@cqfleet/contracts';
import { spawnService, type ServiceProcess } from '@cqfleet/devcluster';
import {
  connectNats,
  connectRedis,
  createLogger,
  ensureEventStream,
  type NatsConnection,
  type Redis,
} from '@cqfleet/runtime';
import { groupMsg, privateMsg, testInfra, uniqueNamespace, waitFor } from '@cqfleet/testkit';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { MessageEvent } from '@cqfleet/onebot';

const log = createLogger('test', 'silent');
const GROUP_MESSAGES = 3000;
const PRIVATE_MESSAGES = 1000;
let ns: Namespace;
let nc: NatsConnection;
let redis: Redis;
const replicas: ServiceProcess[] = [];

beforeAll(async () => {
  ns = new Namespace(uniqueNamespace('hdur'));
  nc = await connectNats(testInfra().natsUrl, 'test', log);
  redis = connectRedis(testInfra().redisUrl, 'test', log);
  await ensureEventStream(nc, ns);
});

afterAll(async () => {
  for (const r of replicas) await r.kill().catch(() => undefined);
  await nc?.drain();
  redis?.disconnect();
});

const replica = async (label: string) => {
  const r = await spawnService(
    'history',
    label,
    {
      CQFLEET_NAMESPACE: ns.name,
      CQFLEET_NATS_URL: testInfra().natsUrl,
      CQFLEET_REDIS_URL: testInfra().redisUrl,
      CQFLEET_LOG_LEVEL: 'info',
      HISTORY_GRPC_PORT: '0',
      HISTORY_ADMIN_PORT: '0',
      HISTORY_ACK_WAIT_MS: '1500',
      HISTORY_BATCH: '100',
      // The fixtures' messages are years old: kept, whatever the default retention.
      HISTORY_MAX_AGE_S: '0',
    },
    {},
  );
  replicas.push(r);
  return r;
};

const stored = async (r: ServiceProcess) => {
  const res = await fetch(`http://127.0.0.1:${String(r.ready.admin)}/readyz`);
  return ((await res.json()) as { stored: number }).stored;
};

/** Publishes `events`, the first as event `ev-<first>` and so on. */
async function publishAll(events: MessageEvent[], first = 0) {
  const js = jetstream(nc);
  for (let i = 0; i < events.length; i += 200)
    await Promise.all(
      events.slice(i, i + 200).map((e, j) => {
        const id = `ev-${first + i + j}`;
        const h = headers();
        h.set(EVENT_ID_HEADER, id);
        return js.publish(ns.eventSubject(e.self_id, e.post_type), JSON.stringify(e), {
          msgID: id,
          headers: h,
        });
      }),
    );
}

it('two replicas share the stream; a replica killed mid-burst loses nothing and duplicates nothing', async () => {
  const a = await replica('history-a');
  const b = await replica('history-b');
  const events: MessageEvent[] = [];
  for (let i = 1; i <= GROUP_MESSAGES; i++)
    events.push(groupMsg(10001 + (i % 2), 100100 + (i % 3), i));
  for (let i = 1; i <= PRIVATE_MESSAGES; i++)
    events.push(privateMsg(10001, i % 2 ? 20001 : 10001, i % 2 ? 10001 : 20001, i));
  const half = events.length / 2;
  const publishing = publishAll(events.slice(0, half));

  await waitFor(
    async () => ((await stored(a)) > 200 ? true : undefined),
    20_000,
    'replica a at work',
  );
  // Frozen, replica a holds the events of a batch it gathers, or a pull request waiting for
  // the next event. The second half is published only now, so that such a waiting pull is
  // answered (had every event been published already, a replica between batches could hold
  // none): the stream hands it events it will never acknowledge; then it dies.
  a.child.kill('SIGSTOP');
  await publishing;
  await publishAll(events.slice(half), half);
  await a.kill();
  const c = await replica('history-c');

  const jsm = await jetstreamManager(nc);
  const last = (await jsm.streams.info(ns.eventStream)).state.last_seq;
  await waitFor(
    async () =>
      (await jsm.consumers.info(ns.eventStream, ns.historyConsumer)).ack_floor.stream_seq >= last
        ? true
        : undefined,
    30_000,
    'every event acknowledged',
  );
  expect(await stored(b)).toBeGreaterThan(0);
  // The killed replica held events it had not acknowledged; they were delivered again (each
  // delivery, first or repeated, takes a consumer sequence number).
  const info = await jsm.consumers.info(ns.eventStream, ns.historyConsumer);
  expect(info.delivered.consumer_seq).toBeGreaterThan(last);

  // Every group message once: one record per (group, seq).
  let groupRecords = 0;
  for (const key of await redis.keys(`${ns.historyPrefix}g:*`))
    groupRecords += await redis.hlen(key);
  expect(groupRecords).toBe(GROUP_MESSAGES);
  // Every private message once: the chat's positions count them, redeliveries included.
  expect(Number(await redis.hget(`${ns.historyPrefix}pc:10001`, '20001'))).toBe(PRIVATE_MESSAGES);
  // Both accounts read the groups they saw, with the same ids.
  expect(await redis.smembers(`${ns.historyPrefix}ag:10001`)).toHaveLength(3);
  await c.stop();
  await b.stop();
});
