/**
 * The event stream's bounds (EventStreamLimits): one account's flood drops its own oldest
 * events, never another account's, and an existing stream takes new bounds at the next start.
 */
import { Namespace } from '@cqfleet/contracts';
import {
  connectNats,
  createLogger,
  ensureEventStream,
  type NatsConnection,
} from '@cqfleet/runtime';
import { testInfra, uniqueNamespace } from '@cqfleet/testkit';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const log = createLogger('test', 'silent');
let nc: NatsConnection;
const made: Namespace[] = [];

beforeAll(async () => {
  nc = await connectNats(testInfra().natsUrl, 'test', log);
});
afterAll(async () => {
  const jsm = await jetstreamManager(nc);
  for (const ns of made) await jsm.streams.delete(ns.eventStream).catch(() => false);
  await nc.drain();
});

function namespace(): Namespace {
  const ns = new Namespace(uniqueNamespace('stream-bounds'));
  made.push(ns);
  return ns;
}

/** Publishes `count` events of the account; the stream sequence of each. */
async function publish(ns: Namespace, selfId: number, count: number, tag: string) {
  const js = jetstream(nc);
  const seqs: number[] = [];
  for (let i = 0; i < count; i++)
    seqs.push((await js.publish(ns.eventSubject(selfId, 'message'), `{"${tag}":${i}}`)).seq);
  return seqs;
}

async function kept(ns: Namespace, selfId: number): Promise<number> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(ns.eventStream, {
    subjects_filter: ns.eventSubject(selfId, 'message'),
  });
  return info.state.subjects?.[ns.eventSubject(selfId, 'message')] ?? 0;
}

describe('event stream bounds', () => {
  it("one account's flood drops its own oldest events, not another account's", async () => {
    const ns = namespace();
    await ensureEventStream(nc, ns, { storage: 'memory', maxMsgsPerSubject: 50 });
    await publish(ns, 10001, 10, 'quiet');
    const flood = await publish(ns, 20002, 500, 'flood');
    expect(await kept(ns, 10001)).toBe(10);
    expect(await kept(ns, 20002)).toBe(50);
    // The flood's own oldest went: its 450th is gone, its 451st is the oldest kept.
    const jsm = await jetstreamManager(nc);
    expect(await jsm.streams.getMessage(ns.eventStream, { seq: flood[449]! })).toBeNull();
    const oldest = await jsm.streams.getMessage(ns.eventStream, { seq: flood[450]! });
    expect(oldest?.string()).toBe('{"flood":450}');
  });

  it('an existing stream takes the bounds it is started with; 0 is no bound', async () => {
    const ns = namespace();
    await ensureEventStream(nc, ns, { storage: 'memory', maxMsgsPerSubject: 0 });
    const jsm = await jetstreamManager(nc);
    expect((await jsm.streams.info(ns.eventStream)).config.max_msgs_per_subject).toBe(-1);
    await publish(ns, 30003, 200, 'before');
    await ensureEventStream(nc, ns, {
      storage: 'memory',
      maxMsgsPerSubject: 100,
      maxBytes: 1 << 20,
    });
    const config = (await jsm.streams.info(ns.eventStream)).config;
    expect(config.max_msgs_per_subject).toBe(100);
    expect(config.max_bytes).toBe(1 << 20);
    // NATS trims a subject to a lowered bound at its next event.
    await publish(ns, 30003, 1, 'after');
    expect(await kept(ns, 30003)).toBe(100);
    // Started again with the same bounds, nothing changes.
    await ensureEventStream(nc, ns, {
      storage: 'memory',
      maxMsgsPerSubject: 100,
      maxBytes: 1 << 20,
    });
    expect((await jsm.streams.info(ns.eventStream)).config.max_msgs_per_subject).toBe(100);
  });
});
