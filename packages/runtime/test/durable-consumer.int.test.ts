import { Namespace } from '@cqfleet/contracts';
import {
  connectNats,
  createLogger,
  DurableConsumer,
  type DurableConsumerHandler,
  ensureEventStream,
  type NatsConnection,
  type StreamMessage,
} from '@cqfleet/runtime';
import { testInfra, uniqueNamespace, waitFor } from '@cqfleet/testkit';
import {
  DeliverPolicy,
  jetstream,
  type JetStreamManager,
  jetstreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TcpProxy } from './tcp-proxy.js';

const log = createLogger('test', process.env.CQFLEET_TEST_LOGS ? 'debug' : 'silent');
/** Publishes and inspects directly; the consumers read through `proxy`, which a test may cut. */
let direct: NatsConnection;
let proxied: NatsConnection;
let proxy: TcpProxy;
let jsm: JetStreamManager;
let ns: Namespace;
const started: DurableConsumer[] = [];
let accounts = 1000;

beforeAll(async () => {
  const natsUrl = testInfra().natsUrl;
  direct = await connectNats(natsUrl, 'test', log);
  ns = new Namespace(uniqueNamespace('durable'));
  await ensureEventStream(direct, ns, { storage: 'memory' });
  jsm = await jetstreamManager(direct);
  const target = new URL(natsUrl.split(',')[0]!);
  proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 4222) });
  proxied = await connectNats(await proxy.start(), 'test-proxied', log);
});
afterEach(async () => {
  await Promise.all(started.splice(0).map(c => c.stop()));
});
afterAll(async () => {
  await jsm.streams.delete(ns.eventStream).catch(() => false);
  await proxied.drain().catch(() => undefined);
  await proxy.close();
  await direct.drain();
});

/** A consumer of its own account's events, so tests never see each other's messages. */
function consumerOf(selfId: number, name = `dc-${selfId}`, ackWaitMs = 30_000): DurableConsumer {
  const c = new DurableConsumer(
    proxied,
    {
      stream: ns.eventStream,
      name,
      config: {
        deliver_policy: DeliverPolicy.New,
        filter_subject: ns.accountEventSubjects(selfId),
        ack_wait: ackWaitMs * 1_000_000,
      },
      resumeMs: 50,
      maxResumeMs: 500,
    },
    log,
  );
  started.push(c);
  return c;
}

async function publish(selfId: number, from: number, count: number): Promise<number> {
  const js = jetstream(direct);
  let seq = 0;
  for (let n = from; n < from + count; n++)
    seq = (await js.publish(ns.eventSubject(selfId, 'message'), JSON.stringify({ n }))).seq;
  return seq;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const valueOf = (m: StreamMessage) =>
  (JSON.parse(new TextDecoder().decode(m.data)) as { n: number }).n;

type Mode = 'one' | 'batch' | 'gathered';
/** Batches as they arrive (nats.js's consume), or gathered without a pull open (10 ms). */
const batchSettings = (mode: Mode) => ({ maxBatch: 50, gatherMs: mode === 'gathered' ? 10 : 0 });

/** Records what it was handed, acknowledging everything. */
function recorder(mode: Mode): { seen: number[]; handler: DurableConsumerHandler } {
  const seen: number[] = [];
  const take = (m: StreamMessage) => {
    seen.push(valueOf(m));
    m.ack();
  };
  const handler: DurableConsumerHandler =
    mode === 'one'
      ? { eachMessage: async m => take(m) }
      : { ...batchSettings(mode), eachBatch: async ms => ms.forEach(take) };
  return { seen, handler };
}

const allModes = ['one', 'batch', 'gathered'] as const;
const batchModes = ['batch', 'gathered'] as const;

describe('durable consumer', () => {
  it('hands over every message once and in order; a successor continues where it stopped', async () => {
    const self = ++accounts;
    const { seen, handler } = recorder('one');
    const first = consumerOf(self);
    await first.start(handler);
    await publish(self, 0, 20);
    await waitFor(() => (seen.length >= 20 ? true : undefined), 5_000, '20 messages');
    await first.stop();
    await publish(self, 20, 10);
    await consumerOf(self).start(handler);
    await waitFor(() => (seen.length >= 30 ? true : undefined), 5_000, '30 messages');
    await new Promise(r => setTimeout(r, 300)); // nothing more comes
    expect(seen).toEqual(range(30));
  });

  it.each(batchModes)(
    '%s: replicas sharing the durable split a burst into batches, each message handled once',
    async mode => {
      const self = ++accounts;
      const seen: number[] = [];
      const sizes: number[] = [];
      const handler: DurableConsumerHandler = {
        ...batchSettings(mode),
        eachBatch: async ms => {
          sizes.push(ms.length);
          for (const m of ms) {
            seen.push(valueOf(m));
            m.ack();
          }
        },
      };
      await consumerOf(self, `shared-${self}`).start(handler);
      await consumerOf(self, `shared-${self}`).start(handler);
      const js = jetstream(direct);
      await Promise.all(
        range(300).map(n => js.publish(ns.eventSubject(self, 'message'), JSON.stringify({ n }))),
      );
      await waitFor(() => (seen.length >= 300 ? true : undefined), 10_000, '300 messages');
      await new Promise(r => setTimeout(r, 300));
      expect([...seen].sort((a, b) => a - b)).toEqual(range(300));
      expect(Math.max(...sizes)).toBeLessThanOrEqual(50);
      expect(Math.max(...sizes)).toBeGreaterThan(1); // a burst is not handled one by one
    },
  );

  it.each(allModes)('%s: resumes after its consumer is deleted, creating it again', async mode => {
    const self = ++accounts;
    const { seen, handler } = recorder(mode);
    const c = consumerOf(self);
    await c.start(handler);
    await publish(self, 0, 5);
    await waitFor(() => (seen.length >= 5 ? true : undefined), 5_000, 'first messages');
    await jsm.consumers.delete(ns.eventStream, c.name);
    // Created again (delivering new messages, as configured) once the reading notices.
    const again = await waitFor(
      () => jsm.consumers.info(ns.eventStream, c.name).catch(() => undefined),
      10_000,
      'the consumer created again',
    );
    expect(again.delivered.consumer_seq).toBe(0);
    await publish(self, 5, 5);
    await waitFor(() => (seen.length >= 10 ? true : undefined), 10_000, 'messages after');
    expect(seen).toEqual(range(10));
  });

  it.each(allModes)('%s: resumes after the connection to NATS drops', async mode => {
    const self = ++accounts;
    const { seen, handler } = recorder(mode);
    // A message the server sent while the connection was going down is lost in transit and
    // comes again after the ack wait (at least once): keep that short here.
    const c = consumerOf(self, `dc-${self}`, 2_000);
    await c.start(handler);
    const last = await publish(self, 0, 5);
    await waitFor(() => (seen.length >= 5 ? true : undefined), 5_000, 'first messages');
    await waitFor(async () => ((await c.info()).ack_floor.stream_seq >= last ? true : undefined));
    proxy.drop();
    await publish(self, 5, 5); // while the consumer's connection is down or coming back
    await waitFor(() => (seen.length >= 10 ? true : undefined), 15_000, 'messages after');
    await new Promise(r => setTimeout(r, 300));
    expect([...seen].sort((a, b) => a - b)).toEqual(range(10));
  });

  it('stop waits for the handler, whose aborted signal lets it hand its message back', async () => {
    const self = ++accounts;
    const events: string[] = [];
    const first = consumerOf(self);
    await first.start({
      eachMessage: async (m, signal) => {
        events.push('handling');
        await waitFor(() => (signal.aborted ? true : undefined), 5_000, 'stop');
        await new Promise(r => setTimeout(r, 200)); // finishing takes a while
        m.nak();
        events.push('handed back');
      },
    });
    await publish(self, 0, 1);
    await waitFor(() => (events.length > 0 ? true : undefined), 5_000, 'the handler');
    await first.stop();
    events.push('stopped');
    expect(events).toEqual(['handling', 'handed back', 'stopped']);
    // The next holder gets it at once, not after the ack wait (30 s).
    const again: JsMsg[] = [];
    await consumerOf(self).start({
      eachMessage: async m => {
        again.push(m);
        m.ack();
      },
    });
    await waitFor(() => (again.length > 0 ? true : undefined), 3_000, 'the message again');
    expect(valueOf(again[0]!)).toBe(0);
    expect(again[0]!.info.redelivered).toBe(true);
  });

  it.each(batchModes)(
    '%s: stop waits for a batch in progress, and for what was already received',
    async mode => {
      const self = ++accounts;
      const stored: number[] = [];
      let busy = false;
      const c = consumerOf(self);
      await c.start({
        maxBatch: 10,
        gatherMs: batchSettings(mode).gatherMs,
        eachBatch: async ms => {
          busy = true;
          await new Promise(r => setTimeout(r, 300));
          for (const m of ms) {
            stored.push(valueOf(m));
            m.ack();
          }
          busy = false;
        },
      });
      const last = await publish(self, 0, 3);
      await waitFor(() => (busy ? true : undefined), 5_000, 'a batch');
      // The first message is being handled; the others reach this process meanwhile.
      await waitFor(async () => ((await c.info()).delivered.stream_seq >= last ? true : undefined));
      await new Promise(r => setTimeout(r, 50));
      await c.stop();
      expect(busy).toBe(false);
      expect(stored).toEqual(range(3));
    },
  );

  it('gathered: messages said within the gathering time are handled as one batch', async () => {
    const self = ++accounts;
    const sizes: number[] = [];
    const seen: number[] = [];
    await consumerOf(self).start({
      maxBatch: 50,
      gatherMs: 200,
      eachBatch: async ms => {
        sizes.push(ms.length);
        for (const m of ms) {
          seen.push(valueOf(m));
          m.ack();
        }
      },
    });
    await publish(self, 0, 1);
    await new Promise(r => setTimeout(r, 50));
    await publish(self, 1, 4);
    await waitFor(() => (seen.length >= 5 ? true : undefined), 5_000, 'the messages');
    expect(seen).toEqual(range(5));
    expect(sizes).toEqual([5]);
  });

  it('a handler that throws gets its message again first, after back-off', async () => {
    const self = ++accounts;
    const seen: number[] = [];
    let failed = false;
    await consumerOf(self).start({
      eachMessage: async m => {
        seen.push(valueOf(m));
        if (!failed) {
          failed = true;
          throw new Error('handler bug');
        }
        m.ack();
      },
    });
    await publish(self, 0, 3);
    await waitFor(() => (seen.length >= 4 ? true : undefined), 5_000, 'the messages');
    expect(seen).toEqual([0, 0, 1, 2]);
  });

  it("brings an existing consumer's ack wait and pending limit to the configured ones", async () => {
    const self = ++accounts;
    await jsm.consumers.add(ns.eventStream, {
      durable_name: `old-${self}`,
      filter_subject: ns.accountEventSubjects(self),
      ack_wait: 60_000 * 1_000_000,
      max_ack_pending: 1_000,
    });
    const c = new DurableConsumer(
      proxied,
      {
        stream: ns.eventStream,
        name: `old-${self}`,
        config: { ack_wait: 2_000 * 1_000_000, max_ack_pending: 1 },
      },
      log,
    );
    started.push(c);
    await c.start(recorder('one').handler);
    const { config } = await c.info();
    expect([config.ack_wait, config.max_ack_pending]).toEqual([2_000 * 1_000_000, 1]);
    expect(config.filter_subject).toBe(ns.accountEventSubjects(self)); // the rest as it was
  });
});
