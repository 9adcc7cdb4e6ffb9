/**
 * HTTP POST delivery (issue 4, point 3): headers and signature over the exact body bytes,
 * the endpoint's format, quick operations from the reply, retries, heartbeats, and nothing
 * lost while the receiver is down.
 */
import { createHmac } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Receiver, startDemoWorld, type DemoWorld, waitFor } from '@cqfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let world: DemoWorld;
let receiver: Receiver;
const SECRET = 's3cret';

beforeAll(async () => {
  receiver = await new Receiver().start();
  const file = join(await mkdtemp(join(tmpdir(), 'gw-')), 'gateway.json');
  await writeFile(
    file,
    JSON.stringify({
      http_post: [
        {
          url: `${receiver.url}/onebot/{self_id}`,
          accounts: [10001],
          secret: SECRET,
          message_format: 'array',
          retry_interval_ms: 100,
          max_retry_interval_ms: 400,
        },
      ],
    }),
  );
  world = await startDemoWorld({
    env: { GATEWAY_CONFIG_FILE: file, GATEWAY_HEARTBEAT_INTERVAL_MS: '500' },
  });
});

afterAll(async () => {
  await world?.close();
  await receiver?.stop();
});

const findEvent = (id: number) => receiver.events().find(r => r.json.message_id === id);

describe('HTTP POST', () => {
  it('posts events with X-Self-ID, User-Agent, X-Event-Id and a signature of the exact body', async () => {
    const said = await world.sim.sendGroupMsg(20001, 100100, 'hello receiver');
    const got = await waitFor(() => findEvent(said.message_id), 10_000, 'posted event');
    expect(got.url).toBe('/onebot/10001');
    expect(got.headers['x-self-id']).toBe('10001');
    expect(got.headers['user-agent']).toMatch(/CQHttp/);
    expect(got.headers['x-event-id']).toMatch(/^10001:d:/);
    expect(got.headers['x-signature']).toBe(
      'sha1=' + createHmac('sha1', SECRET).update(got.body).digest('hex'),
    );
    expect(got.body.toString().endsWith('\n')).toBe(true);
    expect(got.json).toMatchObject({
      post_type: 'message',
      self_id: 10001,
      message: [{ type: 'text', data: { text: 'hello receiver' } }],
    });
  });

  it('only the accounts the endpoint is for', async () => {
    const toBeta = await world.sim.sendPrivateMsg(20001, 10002, 'not for this receiver');
    const toAlpha = await world.sim.sendPrivateMsg(20001, 10001, 'for this receiver');
    await waitFor(() => findEvent(toAlpha.message_id), 10_000, 'alpha event');
    expect(findEvent(toBeta.message_id)).toBeUndefined();
  });

  it('heartbeats arrive with the get_status shape', async () => {
    const beat = await waitFor(
      () => receiver.received.find(r => r.json.meta_event_type === 'heartbeat'),
      5_000,
      'heartbeat',
    );
    expect(beat.json).toMatchObject({
      post_type: 'meta_event',
      self_id: 10001,
      interval: 500,
      status: { online: true, good: true, stat: expect.any(Object) },
    });
  });

  it('a JSON reply is a quick operation', async () => {
    receiver.answer = r =>
      r.json.raw_message === 'ping' ? { body: { reply: 'pong', at_sender: true } } : undefined;
    await world.sim.sendGroupMsg(20003, 100100, 'ping');
    await waitFor(
      async () =>
        (await world.sim.groupMessages(100100, 1))[0]?.message === '[CQ:at,qq=20003]pong'
          ? true
          : undefined,
      10_000,
      'quick reply',
    );
    receiver.answer = () => undefined;
  });

  it('5xx and transport errors are retried; order is kept; nothing is lost while the receiver is down', async () => {
    let failures = 2;
    receiver.answer = r =>
      r.json.raw_message === 'retry me' && failures-- > 0 ? { status: 503 } : undefined;
    const retried = await world.sim.sendGroupMsg(20002, 100100, 'retry me');
    await waitFor(
      () =>
        receiver.events().filter(r => r.json.message_id === retried.message_id).length === 3 ||
        undefined,
      10_000,
      'three attempts',
    );
    receiver.answer = () => undefined;

    await receiver.stop();
    const during: Array<{ message_id: number }> = [];
    for (let i = 0; i < 5; i++)
      during.push(await world.sim.sendGroupMsg(20002, 100100, `while down ${i}`));
    await new Promise(r => setTimeout(r, 500));
    await receiver.start();
    await waitFor(
      () => (during.every(d => findEvent(d.message_id)) ? true : undefined),
      15_000,
      'replayed after the outage',
    );
    const order = receiver
      .events()
      .filter(r => String(r.json.raw_message).startsWith('while down'))
      .map(r => r.json.raw_message);
    expect([...new Set(order)]).toEqual(during.map((_d, i) => `while down ${i}`));
  });
});
