import { Namespace } from '@cqfleet/contracts';
import {
  connectNats,
  createLogger,
  ensureEventStream,
  type NatsConnection,
  StreamPublisher,
} from '@cqfleet/runtime';
import { testInfra, uniqueNamespace } from '@cqfleet/testkit';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const log = createLogger('test', 'silent');
let nc: NatsConnection;
let ns: Namespace;

beforeAll(async () => {
  nc = await connectNats(testInfra().natsUrl, 'test', log);
  ns = new Namespace(uniqueNamespace('publisher'));
  await ensureEventStream(nc, ns, { storage: 'memory' });
});
afterAll(async () => {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(ns.eventStream).catch(() => false);
  await nc.drain();
});

const withId = (id: string) => [['Nats-Msg-Id', id]] as const;

describe('stream publisher', () => {
  it('stores a burst in order and answers each publish with its own ack', async () => {
    const publisher = new StreamPublisher(nc);
    try {
      const acks = await Promise.all(
        Array.from({ length: 500 }, (_, i) =>
          publisher.publish(ns.eventSubject(1, 'message'), `{"n":${i}}`, withId(`burst-${i}`)),
        ),
      );
      const seqs = acks.map(a => (a instanceof Error ? -1 : a.seq));
      expect(seqs.every((s, i) => i === 0 || s === seqs[i - 1]! + 1)).toBe(true);
      expect(seqs[0]).toBeGreaterThan(0);
      expect(publisher.pending).toBe(0);
      // The stream kept the order of the burst.
      const jsm = await jetstreamManager(nc);
      const last = await jsm.streams.getMessage(ns.eventStream, { seq: seqs[499]! });
      expect(last?.string()).toBe('{"n":499}');
    } finally {
      publisher.close();
    }
  });

  it('stores the headers as given, and refuses a value that would end the header block', async () => {
    const publisher = new StreamPublisher(nc);
    try {
      const ack = await publisher.publish(ns.eventSubject(3, 'notice'), '{"h":1}', [
        ['Nats-Msg-Id', 'headers-1'],
        ['Cqfleet-Event-Id', '3:d:e:1'],
        ['Cqfleet-Fence', '7'],
      ]);
      if (ack instanceof Error) throw ack;
      const jsm = await jetstreamManager(nc);
      const stored = await jsm.streams.getMessage(ns.eventStream, { seq: ack.seq });
      expect(stored?.header.get('Cqfleet-Event-Id')).toBe('3:d:e:1');
      expect(stored?.header.get('Cqfleet-Fence')).toBe('7');
      expect(stored?.string()).toBe('{"h":1}');
      const refused = await publisher.publish(ns.eventSubject(3, 'notice'), '{}', [
        ['Cqfleet-Event-Id', 'a\r\nNats-Msg-Id: headers-1'],
      ]);
      expect(refused).toBeInstanceOf(Error);
      expect(publisher.pending).toBe(0);
    } finally {
      publisher.close();
    }
  });

  it('reports a second publish of the same id as a duplicate of the first', async () => {
    const publisher = new StreamPublisher(nc);
    try {
      const first = await publisher.publish(ns.eventSubject(2, 'notice'), '{}', withId('dup'));
      const again = await publisher.publish(ns.eventSubject(2, 'notice'), '{}', withId('dup'));
      expect(first).not.toBeInstanceOf(Error);
      expect(again).toMatchObject({ duplicate: true, seq: (first as { seq: number }).seq });
    } finally {
      publisher.close();
    }
  });

  it('fails a subject no stream takes, and a publish nobody acknowledges in time', async () => {
    const publisher = new StreamPublisher(nc, 300);
    const silent = nc.subscribe(`${ns.name}.silent`);
    try {
      const lost = await publisher.publish(`${ns.name}.nowhere`, '{}', withId('x'));
      expect(lost).toBeInstanceOf(Error);
      expect((lost as Error).message).toMatch(/no responders/);
      const started = performance.now();
      const late = await publisher.publish(`${ns.name}.silent`, '{}', withId('y'));
      expect((late as Error).message).toMatch(/no ack/);
      expect(performance.now() - started).toBeGreaterThanOrEqual(290);
      expect(publisher.pending).toBe(0);
    } finally {
      silent.unsubscribe();
      publisher.close();
    }
  });

  it('fails what is still waiting when closed, and every later publish', async () => {
    const publisher = new StreamPublisher(nc, 10_000);
    const silent = nc.subscribe(`${ns.name}.silent2`);
    try {
      const waiting = publisher.publish(`${ns.name}.silent2`, '{}', withId('z'));
      await new Promise(r => setTimeout(r, 20));
      publisher.close();
      expect(await waiting).toBeInstanceOf(Error);
      expect(await publisher.publish(ns.eventSubject(1, 'message'), '{}', withId('w'))).toEqual(
        new Error('publisher closed'),
      );
    } finally {
      silent.unsubscribe();
    }
  });
});
