/**
 * The event pipeline against real JetStream: a burst goes out in batches, in order, each event
 * once; events with and without a position are never mixed; and a worker that takes the account over and
 * re-publishes from the cursor, cutting the events into batches differently, still leaves each
 * event in the stream once, in order; and a publish lost with a connection that breaks is
 * stored before the events that came after it.
 */
import { EVENT_ID_HEADER, EVENT_ID_SEPARATOR, Namespace } from '@cqfleet/contracts';
import type { OneBotEvent } from '@cqfleet/onebot';
import {
  connectNats,
  counter,
  createLogger,
  ensureEventStream,
  type NatsConnection,
  onNatsStatus,
  StreamPublisher,
} from '@cqfleet/runtime';
import { startTcpProxy, testInfra, uniqueNamespace } from '@cqfleet/testkit';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BATCH } from '../src/events/batches.js';
import { EventPipeline } from '../src/events/event-pipeline.js';
import { storedEventIds } from '../src/events/stored-ids.js';

const log = createLogger('test', process.env.CQFLEET_TEST_LOGS ? 'debug' : 'silent');
let nc: NatsConnection;
let ns: Namespace;
let publisher: StreamPublisher;
let self = 7_000;

beforeAll(async () => {
  nc = await connectNats(testInfra().natsUrl, 'test', log);
  ns = new Namespace(uniqueNamespace('pipeline'));
  await ensureEventStream(nc, ns, { storage: 'memory' });
  publisher = new StreamPublisher(nc);
});
afterAll(async () => {
  publisher.close();
  await (await jetstreamManager(nc)).streams.delete(ns.eventStream).catch(() => false);
  await nc.drain();
});

const event = (uin: number, n: number): OneBotEvent =>
  ({ post_type: 'message', self_id: uin, time: 1, n }) as unknown as OneBotEvent;

/** A pipeline for `uin` (one owner), with the positions it reported. */
function owner(uin: number, through = publisher) {
  const positions: number[] = [];
  const pipeline = new EventPipeline<number>(
    through,
    ns,
    uin,
    log,
    p => positions.push(p),
    { value: 1, holds: () => true },
    storedEventIds(nc, ns),
  );
  /** Queues driver events `from` … `to` in one turn and waits until they are stored. */
  const say = async (from: number, to: number) => {
    for (let n = from; n <= to; n++)
      pipeline.enqueue({ id: `${uin}:d:e:${n}`, event: event(uin, n), position: n });
    await pipeline.drained();
  };
  /** Queues driver event `n` without waiting. */
  const queue = (n: number) =>
    pipeline.enqueue({ id: `${uin}:d:e:${n}`, event: event(uin, n), position: n });
  return { pipeline, positions, say, queue };
}

/** The account's stream messages, in stream order: the event ids of each. */
async function stored(uin: number): Promise<string[][]> {
  const jsm = await jetstreamManager(nc);
  const last = (await jsm.streams.info(ns.eventStream)).state.last_seq;
  const out: string[][] = [];
  for (let seq = 1; seq <= last; seq++) {
    const m = await jsm.streams.getMessage(ns.eventStream, { seq }).catch(() => null);
    if (m?.subject !== ns.eventSubject(uin, 'message')) continue;
    const ids = m.header.get(EVENT_ID_HEADER).split(EVENT_ID_SEPARATOR);
    expect(
      m
        .string()
        .split('\n')
        .map(l => (JSON.parse(l) as { n: number }).n),
    ).toEqual(ids.map(id => Number(id.split(':').at(-1))));
    out.push(ids);
  }
  return out;
}

/** Reads the counters of events dropped as unpublishable, now (the worker's registry). */
function countsOfDropped(): () => Promise<{ tooLarge: number; unserialisable: number }> {
  const tooLarge = counter('cqfleet_events_too_large_total', '');
  const unserialisable = counter('cqfleet_events_unserialisable_total', '');
  return async () => ({
    tooLarge: (await tooLarge.get()).values[0]?.value ?? 0,
    unserialisable: (await unserialisable.get()).values[0]?.value ?? 0,
  });
}

const ids = (uin: number, from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `${uin}:d:e:${from + i}`);

describe('event pipeline', () => {
  it('publishes a burst in batches, in order, each event once, and moves the cursor to its end', async () => {
    const uin = ++self;
    const a = owner(uin);
    await a.say(0, 199);
    const messages = await stored(uin);
    expect(messages.flat()).toEqual(ids(uin, 0, 199));
    expect(messages.length).toBeLessThan(20);
    expect(messages.every(m => m.length <= MAX_BATCH)).toBe(true);
    expect(a.positions.at(-1)).toBe(199);
    expect(a.pipeline.published).toBe(200);
  });

  it('never puts events with and without a position in one message', async () => {
    const uin = ++self;
    const { pipeline } = owner(uin);
    for (let n = 0; n < 3; n++)
      pipeline.enqueue({ id: `${uin}:d:e:${n}`, event: event(uin, n), position: n });
    const sent = [97, 98, 99].map(n =>
      pipeline.push({ id: `${uin}:s:g1:${n}`, event: event(uin, n) }),
    );
    for (let n = 3; n < 5; n++)
      pipeline.enqueue({ id: `${uin}:d:e:${n}`, event: event(uin, n), position: n });
    await Promise.all(sent);
    await pipeline.drained();
    const messages = (await stored(uin)).map(m => m.map(id => id.split(':').at(-1)));
    expect(messages.flat()).toEqual(['0', '1', '2', '97', '98', '99', '3', '4']);
    expect(messages).toContainEqual(['97', '98', '99']);
    for (const m of messages)
      expect(m.some(n => Number(n) > 90) && m.some(n => Number(n) < 90)).toBe(false);
  });

  it('a new owner re-publishing from the cursor, cut differently, stores each event once, in order', async () => {
    // The old owner stored 0..9, then 10..29 in one message, and its cursor says 9.
    const uin = ++self;
    const old = owner(uin);
    await old.say(0, 9);
    await old.say(10, 29);
    old.pipeline.stop();
    // The new owner hears 10..14 first (a duplicate holding more than it has), then the rest.
    const next = owner(uin);
    await next.say(10, 14);
    await next.say(15, 80);
    await next.say(81, 90);
    expect((await stored(uin)).flat()).toEqual(ids(uin, 0, 90));
    // The cursor only names ends of stored messages: 29 (the old owner's), then the new ones.
    expect(next.positions[0]).toBe(29);
    expect(next.positions.at(-1)).toBe(90);
  });

  it('a new owner whose first batch holds more than the stored one publishes the rest', async () => {
    const uin = ++self;
    const old = owner(uin);
    await old.say(0, 9);
    await old.say(10, 19);
    await old.say(20, 24);
    old.pipeline.stop();
    const next = owner(uin);
    await next.say(10, 60);
    expect((await stored(uin)).flat()).toEqual(ids(uin, 0, 60));
    expect(next.positions.at(-1)).toBe(60);
  });

  it('drops an event larger than the bus takes, counted, and the events behind it go on', async () => {
    const counts = countsOfDropped();
    const before = await counts();
    const uin = ++self;
    const { pipeline, positions } = owner(uin);
    const huge = { ...event(uin, 5), text: 'x'.repeat(publisher.maxPayload) } as OneBotEvent;
    for (let n = 0; n < 10; n++)
      pipeline.enqueue({
        id: `${uin}:d:e:${n}`,
        event: n === 5 ? huge : event(uin, n),
        position: n,
      });
    // Alone, not in a batch, and not awaited forever: a push of one resolves too.
    await expect(pipeline.push({ id: `${uin}:s:1`, event: huge })).resolves.toBeUndefined();
    await pipeline.drained();
    const want = ids(uin, 0, 9).filter(id => !id.endsWith(':5'));
    expect((await stored(uin)).flat()).toEqual(want);
    expect(positions.at(-1)).toBe(9);
    // Counted as too large (the queued one and the pushed one), not as unserialisable.
    expect(await counts()).toEqual({
      tooLarge: before.tooLarge + 2,
      unserialisable: before.unserialisable,
    });
  });

  it('drops alone an event that cannot be serialised, counted; the events batched with it go on', async () => {
    const counts = countsOfDropped();
    const before = await counts();
    const uin = ++self;
    const { pipeline, positions } = owner(uin);
    // JSON.stringify throws on both: a TypeError for the BigInt, a RangeError for the depth.
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 200_000; i++) deep = { a: deep };
    const bad: Record<number, OneBotEvent> = {
      3: { ...event(uin, 3), big: 1n } as unknown as OneBotEvent,
      7: { ...event(uin, 7), file: deep } as unknown as OneBotEvent,
    };
    // One turn: all twelve would be one batch.
    for (let n = 0; n < 12; n++)
      pipeline.enqueue({ id: `${uin}:d:e:${n}`, event: bad[n] ?? event(uin, n), position: n });
    const pushed = pipeline.push({ id: `${uin}:s:1`, event: bad[3]! });
    const drained = await Promise.race([
      pipeline.drained().then(() => true),
      new Promise(resolve => setTimeout(() => resolve(false), 5_000)),
    ]);
    expect(drained, 'the pipeline drained').toBe(true);
    await expect(pushed, 'a push of one resolves too').resolves.toBeUndefined();
    const want = ids(uin, 0, 11).filter(id => !/:(3|7)$/.test(id));
    expect((await stored(uin)).flat()).toEqual(want);
    expect(positions.at(-1)).toBe(11);
    expect(pipeline.pending).toBe(0);
    // Counted as unserialisable (twice queued, once pushed), not as too large.
    expect(await counts()).toEqual({
      tooLarge: before.tooLarge,
      unserialisable: before.unserialisable + 3,
    });
  });

  it('keeps the order when a publish is lost with a connection that breaks, and a later one is not', async () => {
    // The session's connection goes silent (what it sends is lost), then breaks, and nats.js
    // reconnects. An event that comes while the lost publish still waits for its ack must not
    // go out on the new connection before it is published again: it would be stored first.
    const target = new URL(testInfra().natsUrl);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
    const pnc = await connectNats(`nats://127.0.0.1:${proxy.port}`, 'test-proxied', log);
    const through = new StreamPublisher(pnc, 2_000);
    try {
      const uin = ++self;
      const a = owner(uin, through);
      await a.say(0, 0);
      proxy.stall();
      a.queue(1); // written to the silent connection: lost
      await new Promise(resolve => setTimeout(resolve, 50));
      const back = new Promise<void>(resolve => onNatsStatus(pnc, 'reconnect', resolve));
      proxy.cut();
      proxy.restore();
      await back;
      a.queue(2); // on the new connection, while 1 still waits for its ack
      await a.pipeline.drained();
      expect((await stored(uin)).flat()).toEqual(ids(uin, 0, 2));
      expect(a.positions.at(-1)).toBe(2);
    } finally {
      through.close();
      await pnc.close();
      await proxy.stop();
    }
  });
});
