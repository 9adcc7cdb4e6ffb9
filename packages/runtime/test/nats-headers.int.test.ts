/**
 * headerValue reads a header from the message's raw block, with the same answers as nats.js's
 * `headers.get`, for core messages and JetStream messages alike, and that raw path is the one
 * taken with the nats.js in use (if an upgrade moves its fields, the fallback still answers
 * right but this test says the saving is gone).
 */
import { Namespace } from '@cqfleet/contracts';
import {
  connectNats,
  createLogger,
  ensureEventStream,
  headerValue,
  type NatsConnection,
} from '@cqfleet/runtime';
import { testInfra, uniqueNamespace } from '@cqfleet/testkit';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { createInbox, headers as natsHeaders, type Msg } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawHeaderBlock } from '../src/nats-headers.js';

const log = createLogger('test', 'silent');
let nc: NatsConnection;

beforeAll(async () => {
  nc = await connectNats(testInfra().natsUrl, 'test-headers', log);
});
afterAll(async () => {
  await nc.drain();
});

/** Publishes `body` with `pairs` to a fresh subject and returns the message as received. */
async function roundTrip(pairs: Array<[string, string]>, body = 'x'): Promise<Msg> {
  const subject = createInbox();
  const got = new Promise<Msg>(resolve => {
    nc.subscribe(subject, { max: 1, callback: (_e, m) => resolve(m) });
  });
  await nc.flush();
  const h = natsHeaders();
  for (const [k, v] of pairs) h.append(k, v);
  nc.publish(subject, body, pairs.length > 0 ? { headers: h } : {});
  return got;
}

describe('headerValue', () => {
  it('answers as headers.get does, from the raw block', async () => {
    const m = await roundTrip([
      ['Cqfleet-Event-Id', '1:d:e:1\u001e1:d:e:2'],
      ['Nats-Msg-Id', 'abc'],
      ['X-Twice', 'first'],
      ['X-Twice', 'second'],
      ['X-Spaced', '  padded  '],
      ['Cqfleet-Event-Id-Not', 'other'],
    ]);
    expect(rawHeaderBlock(m)).toMatch(/^NATS\/1\.0\r\n/);
    for (const name of [
      'Cqfleet-Event-Id',
      'Nats-Msg-Id',
      'X-Twice',
      'X-Spaced',
      'Cqfleet-Event-Id-Not',
      'Missing',
      'cqfleet-event-id',
      'Event-Id',
    ])
      expect(headerValue(m, name), name).toBe(m.headers?.get(name) || undefined);
    expect(headerValue(m, 'Cqfleet-Event-Id')).toBe('1:d:e:1\u001e1:d:e:2');
  });

  it('a message without headers has none', async () => {
    const m = await roundTrip([]);
    expect(rawHeaderBlock(m)).toBe('');
    expect(headerValue(m, 'Cqfleet-Event-Id')).toBeUndefined();
  });

  it('falls back to headers.get for a message it cannot read raw', () => {
    const h = natsHeaders();
    h.set('Cqfleet-Event-Id', 'e1');
    expect(headerValue({ headers: h }, 'Cqfleet-Event-Id')).toBe('e1');
    expect(headerValue({}, 'Cqfleet-Event-Id')).toBeUndefined();
  });

  it('reads a JetStream message (which wraps a core one) raw too', async () => {
    const ns = new Namespace(uniqueNamespace('headers'));
    await ensureEventStream(nc, ns, { storage: 'memory' });
    const jsm = await jetstreamManager(nc);
    try {
      const h = natsHeaders();
      h.set('Cqfleet-Event-Id', '7:d:e:1');
      await jetstream(nc).publish(ns.eventSubject(7, 'message'), '{}', { headers: h });
      await jsm.consumers.add(ns.eventStream, { durable_name: 'h', ack_policy: AckPolicy.None });
      const m = await (await jetstream(nc).consumers.get(ns.eventStream, 'h')).next();
      expect(m).not.toBeNull();
      expect(rawHeaderBlock(m!)).toBeDefined();
      expect(headerValue(m!, 'Cqfleet-Event-Id')).toBe('7:d:e:1');
    } finally {
      await jsm.streams.delete(ns.eventStream).catch(() => false);
    }
  });
});
