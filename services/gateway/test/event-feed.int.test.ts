/**
 * One delivery's feed against real JetStream: a holder that dies with an event in hand (no
 * nak possible) leaves it to the next holder first, about one ack wait later, ahead of the
 * events behind it (the chaos run's lost event when a gateway was SIGKILLed); a live holder
 * that takes longer than the ack wait keeps its event; the events of a batch message go one by
 * one, a failed one retried from itself.
 */
import { Namespace } from '@cqfleet/contracts';
import {
  connectNats,
  createLogger,
  ensureEventStream,
  type NatsConnection,
} from '@cqfleet/runtime';
import { testInfra, uniqueNamespace, waitFor } from '@cqfleet/testkit';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventFeed, type FeedEvent, type FeedOptions } from '../src/delivery/event-feed.js';

const log = createLogger('test', process.env.CQFLEET_TEST_LOGS ? 'debug' : 'silent');
let nc: NatsConnection;
let ns: Namespace;
const feeds: EventFeed[] = [];
let selfId = 3_000;

beforeAll(async () => {
  nc = await connectNats(testInfra().natsUrl, 'test', log);
  ns = new Namespace(uniqueNamespace('feed'));
  await ensureEventStream(nc, ns, { storage: 'memory' });
});
afterAll(async () => {
  await Promise.all(feeds.map(f => f.stop()));
  await (await jetstreamManager(nc)).streams.delete(ns.eventStream).catch(() => false);
  await nc.drain();
});

function feed(conn: NatsConnection, self: number, ackWaitMs = 1_000): EventFeed {
  const opts: FeedOptions = {
    kind: 'http_post',
    endpoint: 'test-endpoint',
    selfId: self,
    replayWindowMs: 600_000,
    ackWaitMs,
    retryMs: 50,
    maxRetryMs: 200,
  };
  return new EventFeed(conn, ns, opts, log);
}

async function publish(self: number, count: number, from = 0): Promise<void> {
  const js = jetstream(nc);
  for (let n = from; n < from + count; n++)
    await js.publish(ns.eventSubject(self, 'message'), JSON.stringify({ n }));
}

const valueOf = ({ event }: FeedEvent) => (event as unknown as { n: number }).n;

describe('event feed', () => {
  it("a dead holder's event goes to the next holder first, about one ack wait later", async () => {
    const self = ++selfId;
    const doomed = await connectNats(testInfra().natsUrl, 'doomed', log);
    const first: number[] = [];
    // Delivers nothing: holds its first event until its connection dies, like a SIGKILL.
    await feed(doomed, self).start(async m => {
      first.push(valueOf(m));
      return new Promise<boolean>(() => undefined);
    });
    await publish(self, 5);
    await waitFor(() => (first.length > 0 ? true : undefined), 5_000, 'the first event');
    await doomed.close();

    const seen: number[] = [];
    const next = feed(nc, self);
    feeds.push(next);
    const started = Date.now();
    await next.start(async m => (seen.push(valueOf(m)), true));
    await waitFor(() => (seen.length >= 5 ? true : undefined), 10_000, 'five events');
    expect(first).toEqual([0]);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a live holder slower than the ack wait keeps its event: no one else is handed it', async () => {
    const self = ++selfId;
    const seen: Array<[string, number]> = [];
    const slow = feed(nc, self, 600);
    const other = feed(nc, self, 600);
    feeds.push(slow, other);
    let held = false;
    const deliverSlowly = (who: string) => async (m: FeedEvent) => {
      seen.push([who, valueOf(m)]);
      if (!held) {
        held = true;
        await new Promise(r => setTimeout(r, 2_000)); // more than three ack waits
      }
      return true;
    };
    await slow.start(deliverSlowly('slow'));
    await publish(self, 1);
    await waitFor(() => (held ? true : undefined), 5_000, 'the slow delivery');
    await other.start(deliverSlowly('other'));
    await publish(self, 2, 1);
    await waitFor(() => (seen.length >= 3 ? true : undefined), 10_000, 'three deliveries');
    await new Promise(r => setTimeout(r, 500));
    expect(seen[0]).toEqual(['slow', 0]);
    expect(seen.map(([, n]) => n)).toEqual([0, 1, 2]);
  });

  it('delivers the events of a batch message in order with their ids, retrying from the one that failed', async () => {
    const self = ++selfId;
    const tries: Array<[string | undefined, number]> = [];
    let failOnce = true;
    const f = feed(nc, self);
    feeds.push(f);
    await f.start(async e => {
      tries.push([e.id, valueOf(e)]);
      if (valueOf(e) === 2 && failOnce) return (failOnce = false);
      return true;
    });
    const h = headers();
    h.set('Cqfleet-Event-Id', 'b1 b2 b3');
    await jetstream(nc).publish(
      ns.eventSubject(self, 'message'),
      ['{"n":1}', '{"n":2}', '{"n":3}'].join('\n'),
      { headers: h },
    );
    await waitFor(() => (tries.length >= 4 ? true : undefined), 10_000, 'four attempts');
    await new Promise(r => setTimeout(r, 300));
    expect(tries).toEqual([
      ['b1', 1],
      ['b2', 2],
      ['b2', 2],
      ['b3', 3],
    ]);
    expect(f.delivered).toBe(3);
  });
});
