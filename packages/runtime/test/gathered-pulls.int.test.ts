/**
 * GatheredPulls against the real JetStream: a batch is bounded in bytes as well as in
 * messages (the pull's `max_bytes`), the server's 409 "Message Size Exceeds MaxBytes" ends a
 * pull without being taken for a consumer that is gone, and a message bigger than the bound is
 * still delivered, in order, as a batch of its own.
 */
import { connectNats, createLogger, type NatsConnection } from '@cqfleet/runtime';
import { testInfra, uniqueNamespace } from '@cqfleet/testkit';
import {
  AckPolicy,
  jetstream,
  type JetStreamManager,
  jetstreamManager,
  StorageType,
} from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatheredPulls, type StreamMessage } from '../src/gathered-pulls.js';

const log = createLogger('test', 'silent');
const KiB = 1024;
let nc: NatsConnection;
let jsm: JetStreamManager;
let stream: string;

beforeAll(async () => {
  nc = await connectNats(testInfra().natsUrl, 'test', log);
  jsm = await jetstreamManager(nc);
  stream = uniqueNamespace('pulls').replace(/[^A-Za-z0-9_-]/g, '_');
  await jsm.streams.add({ name: stream, subjects: [`${stream}.>`], storage: StorageType.Memory });
});
afterAll(async () => {
  await jsm?.streams.delete(stream).catch(() => false);
  await nc?.drain();
});

/** Publishes messages of `sizes` bytes (byte 0 holds their index), then reads them all. */
async function readAll(consumer: string, sizes: number[], maxBytes: number) {
  await jsm.consumers.add(stream, {
    durable_name: consumer,
    ack_policy: AckPolicy.Explicit,
    filter_subject: `${stream}.${consumer}`,
  });
  const js = jetstream(nc);
  for (const [i, size] of sizes.entries()) {
    const data = new Uint8Array(size);
    data[0] = i;
    await js.publish(`${stream}.${consumer}`, data);
  }
  const reader = new GatheredPulls(nc, {
    stream,
    consumer,
    maxBatch: 500,
    gatherMs: 5,
    waitMs: 3_000,
    maxBytes,
  });
  const batches: StreamMessage[][] = [];
  const abort = new AbortController();
  const deadline = Date.now() + 10_000;
  try {
    let got = 0;
    while (got < sizes.length && Date.now() < deadline) {
      const batch = await reader.next(abort.signal);
      for (const m of batch) m.ack();
      if (batch.length > 0) batches.push(batch);
      got += batch.length;
    }
  } finally {
    reader.close();
  }
  return {
    batches,
    order: batches.flat().map(m => m.data[0]),
    bytes: batches.map(b => b.reduce((n, m) => n + m.data.length, 0)),
  };
}

describe('GatheredPulls, bounded in bytes', () => {
  it('a backlog of large messages is read in batches within maxBytes', async () => {
    const sizes = Array.from({ length: 12 }, () => 100 * KiB);
    const { order, bytes } = await readAll('large', sizes, 350 * KiB);
    expect(order).toEqual(sizes.map((_, i) => i));
    for (const b of bytes) expect(b).toBeLessThanOrEqual(350 * KiB);
    expect(bytes.length).toBeGreaterThanOrEqual(4);
  });

  it('a message bigger than maxBytes is delivered, alone, in order', async () => {
    const sizes = [10 * KiB, 10 * KiB, 500 * KiB, 10 * KiB, 600 * KiB, 700 * KiB, 10 * KiB];
    const { order, batches } = await readAll('big', sizes, 200 * KiB);
    expect(order).toEqual(sizes.map((_, i) => i));
    for (const batch of batches)
      if (batch.some(m => m.data.length > 200 * KiB)) expect(batch).toHaveLength(1);
  });

  it('small messages are not held back by the bound: one batch', async () => {
    const sizes = Array.from({ length: 300 }, () => 200);
    const { order, batches } = await readAll('small', sizes, 350 * KiB);
    expect(order).toEqual(sizes.map((_, i) => i % 256));
    expect(batches.length).toBeLessThanOrEqual(2);
  });
});
