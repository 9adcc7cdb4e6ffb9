/**
 * History against real NATS and Redis: it stores what the stream carries, once, keeps accounts
 * apart, answers right after a publish (the catch-up barrier), and resumes after a restart.
 */
import { EVENT_ID_HEADER, Namespace } from '@cqfleet/contracts';
import { messageId, parseParams } from '@cqfleet/onebot';
import { MessageFormat } from '@cqfleet/proto';
import { ActionChannel } from '@cqfleet/rpc';
import {
  connectNats,
  connectRedis,
  createLogger,
  ensureEventStream,
  type NatsConnection,
} from '@cqfleet/runtime';
import { groupMsg, privateMsg, testInfra, uniqueNamespace } from '@cqfleet/testkit';
import { jetstream } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type RunningHistory, startHistory } from '@cqfleet/history';
import { readLayout } from '@cqfleet/history-store';

const log = createLogger('test', 'silent');
let ns: Namespace;
let nc: NatsConnection;
let history: RunningHistory;
let channel: ActionChannel;

const config = () =>
  loadConfig({
    CQFLEET_NAMESPACE: ns.name,
    CQFLEET_NATS_URL: testInfra().natsUrl,
    CQFLEET_REDIS_URL: testInfra().redisUrl,
    HISTORY_GRPC_PORT: '0',
    // The events are from 2023: kept, whatever the default retention.
    HISTORY_MAX_AGE_S: '0',
    // Longer than the catch-up wait: a look-up right after a publish finds the message only
    // because the catch-up cuts the gathering short.
    HISTORY_GATHER_MS: '1000',
    HISTORY_CATCH_UP_MS: '600',
  });

/** Account `selfId` sees Alice say `text` in group 100100 with `seq`. */
function groupEvent(selfId: number, seq: number, text: string, postType = 'message') {
  return {
    ...groupMsg(selfId, 100100, seq, 1_700_000_000 + seq),
    post_type: postType,
    message: [{ type: 'text', data: { text } }],
    raw_message: text,
  };
}

async function publish(event: ReturnType<typeof groupEvent>, id: string) {
  const h = headers();
  h.set(EVENT_ID_HEADER, id);
  await jetstream(nc).publish(
    ns.eventSubject(event.self_id, event.post_type),
    JSON.stringify(event),
    { msgID: id, headers: h },
  );
}

async function publishRaw(selfId: number, json: string, id: string) {
  const h = headers();
  h.set(EVENT_ID_HEADER, id);
  await jetstream(nc).publish(ns.eventSubject(selfId, 'message'), json, { msgID: id, headers: h });
}

async function call(
  selfId: number,
  action: string,
  params: Record<string, unknown>,
  format = MessageFormat.MESSAGE_FORMAT_STRING,
) {
  const reply = await channel.call(
    {
      selfId,
      action,
      paramsJson: Buffer.from(JSON.stringify(parseParams(action as 'get_msg', params))),
      messageFormat: format,
      deadlineMs: 5_000,
      fence: 0,
    },
    5_000,
  );
  return reply.retcode === 0
    ? {
        ok: true,
        data: JSON.parse(Buffer.from(reply.dataJson).toString()) as Record<string, unknown>,
      }
    : { ok: false, msg: reply.msg };
}

beforeAll(async () => {
  ns = new Namespace(uniqueNamespace('hist'));
  nc = await connectNats(testInfra().natsUrl, 'test', log);
  await ensureEventStream(nc, ns);
  history = await startHistory(config(), log);
  channel = new ActionChannel(history.grpc, log);
});

afterAll(async () => {
  channel?.close();
  await history?.stop();
  await nc?.drain();
});

describe('history', () => {
  it('publishes the layout the gateway reads get_msg with', async () => {
    const redis = connectRedis(testInfra().redisUrl, 'test', log);
    try {
      expect(await readLayout(redis, ns)).toEqual({ idSlots: config().idSlots });
    } finally {
      redis.disconnect();
    }
  });

  it('get_msg right after the publish finds the message (catch-up barrier), in both formats', async () => {
    await publish(groupEvent(10001, 1, 'first'), 'a1');
    const asked = Date.now();
    const got = await call(10001, 'get_msg', { message_id: messageId(100100, 1) });
    expect(Date.now() - asked).toBeLessThan(600); // not after the 1 s gathering
    expect(got).toEqual({
      ok: true,
      data: {
        message_id: messageId(100100, 1),
        message_id_v2: '00000000000187040000000' + '1',
        message_type: 'group',
        real_id: 1,
        message_seq: 1,
        group: true,
        group_id: 100100,
        sender: { user_id: 20001, nickname: 'Alice' },
        time: 1_700_000_001,
        message: 'first',
      },
    });
    const arr = await call(
      10001,
      'get_msg',
      { id: messageId(100100, 1) },
      MessageFormat.MESSAGE_FORMAT_ARRAY,
    );
    expect(arr.data?.message).toEqual([{ type: 'text', data: { text: 'first' } }]);
  });

  it('accounts are kept apart, unknown ids are MSG_NOT_FOUND', async () => {
    expect(await call(10002, 'get_msg', { message_id: messageId(100100, 1) })).toEqual({
      ok: false,
      msg: 'MSG_NOT_FOUND',
    });
    expect(await call(10001, 'get_msg', { message_id: 42 })).toEqual({
      ok: false,
      msg: 'MSG_NOT_FOUND',
    });
  });

  it('bad input is a clear failure, never a crash', async () => {
    for (const id of [0, -1, 2 ** 31 - 1, -(2 ** 31)])
      expect(await call(10001, 'get_msg', { message_id: id })).toEqual({
        ok: false,
        msg: 'MSG_NOT_FOUND',
      });
    expect(
      await call(10001, 'get_group_msg_history', { group_id: 100100, message_seq: -1 }),
    ).toEqual({ ok: false, msg: 'MSG_NOT_FOUND' });
    expect(
      await call(10001, 'get_friend_msg_history', { user_id: 20001, message_seq: 77 }),
    ).toEqual({ ok: false, msg: 'MSG_NOT_FOUND' });
    expect(await call(10001, 'get_friend_msg_history', { user_id: 4242 })).toEqual({
      ok: true,
      data: { messages: [] },
    });
    // What history does not hold it asks the QQ side for, through the account's session
    // worker; here there is none.
    for (const params of [{ group_id: 100100, message_seq: 999_999 }, { group_id: 4242 }])
      expect(await call(10001, 'get_group_msg_history', params)).toEqual({
        ok: false,
        msg: 'ACCOUNT_OFFLINE',
      });
    expect(await call(10001, 'get_forward_msg', { message_id: 'nope' })).toEqual({
      ok: false,
      msg: 'ACCOUNT_OFFLINE',
    });
  });

  it('look-ups waiting at once share one poll of the consumer’s progress', async () => {
    const durable = (
      history.consumer as unknown as {
        consumer: { info(): Promise<unknown>; streamLastSeq(): Promise<number> };
      }
    ).consumer;
    const info = durable.info.bind(durable);
    const lastSeq = durable.streamLastSeq.bind(durable);
    let asked = 0;
    let seqAsked = 0;
    durable.info = () => {
      asked++;
      return info();
    };
    durable.streamLastSeq = () => {
      seqAsked++;
      return lastSeq();
    };
    try {
      const all = await Promise.all(
        Array.from({ length: 100 }, () => history.consumer.catchUp(2_000)),
      );
      expect(all.every(Boolean)).toBe(true);
      // One poll and one or two asks of the stream for all of them, not some per miss.
      expect(asked).toBeLessThan(10);
      expect(seqAsked).toBeLessThanOrEqual(2);
    } finally {
      durable.info = info;
      durable.streamLastSeq = lastSeq;
    }
  });

  it('a redelivered event is stored once', async () => {
    await publish(groupEvent(10001, 2, 'second'), 'a2');
    await publish(groupEvent(10001, 2, 'second'), 'a2-again');
    await history.consumer.catchUp(5_000);
    const page = await call(10001, 'get_group_msg_history', { group_id: 100100 });
    expect((page.data?.messages as Array<{ message_seq: number }>).map(m => m.message_seq)).toEqual(
      [1, 2],
    );
  });

  it('a message event that cannot be stored is skipped; the events after it are stored', async () => {
    const before = history.consumer.skipped;
    // What an upstream may send and history once retried for ever, holding every later batch:
    // no sender, a time that is not a number, segment data nested past msgpack's stack.
    const { sender: _, ...noSender } = groupEvent(10001, 3, 'no sender');
    await publish(noSender as ReturnType<typeof groupEvent>, 'bad-sender');
    await publish({ ...groupEvent(10001, 4, 'x'), time: 'soon' as never }, 'bad-time');
    const depth = 20_000;
    const deep = JSON.stringify(groupEvent(10001, 5, 'deep')).replace(
      '"data":{"text":"deep"}',
      `"data":{"text":"deep","x":${'['.repeat(depth)}${']'.repeat(depth)}}`,
    );
    await publishRaw(10001, deep, 'bad-deep');
    await publish(groupEvent(10001, 6, 'after them'), 'good');
    const got = await call(10001, 'get_msg', { message_id: messageId(100100, 6) });
    expect(got.data?.message).toBe('after them');
    for (const seq of [3, 4, 5])
      expect(await call(10001, 'get_msg', { message_id: messageId(100100, seq) })).toEqual({
        ok: false,
        msg: 'MSG_NOT_FOUND',
      });
    expect(history.consumer.skipped - before).toBe(3);
  });

  it('get_friend_msg_history right after a send holds it (the page waits for the catch-up)', async () => {
    const sent = privateMsg(10001, 10001, 20002, 1);
    await publish(sent as unknown as ReturnType<typeof groupEvent>, 'p1');
    const asked = Date.now();
    const page = await call(10001, 'get_friend_msg_history', { user_id: 20002, count: 5 });
    expect(Date.now() - asked).toBeLessThan(600); // not after the 1 s gathering
    expect((page.data?.messages as Array<{ message_id: number }>).map(m => m.message_id)).toEqual([
      sent.message_id,
    ]);
  });

  it('get_group_msg_history returns at most 20 messages ending at message_seq, oldest first', async () => {
    for (let seq = 3; seq <= 30; seq++) await publish(groupEvent(10001, seq, `m${seq}`), `a${seq}`);
    await history.consumer.catchUp(5_000);
    const latest = await call(10001, 'get_group_msg_history', { group_id: 100100 });
    expect(
      (latest.data?.messages as Array<{ message_seq: number }>).map(m => m.message_seq),
    ).toEqual(Array.from({ length: 20 }, (_, i) => i + 11));
    const older = await call(10001, 'get_group_msg_history', { group_id: 100100, message_seq: 15 });
    const seqs = (older.data?.messages as Array<{ message_seq: number; message: unknown }>).map(
      m => m.message_seq,
    );
    expect(seqs).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
  });

  it('stopped and started again, it picks up what was published meanwhile', async () => {
    channel.close();
    await history.stop();
    await publish(groupEvent(10001, 31, 'while history was down'), 'a31');
    history = await startHistory(config(), log);
    channel = new ActionChannel(history.grpc, log);
    const got = await call(10001, 'get_msg', { message_id: messageId(100100, 31) });
    expect(got.data?.message).toBe('while history was down');
  });
});
