/**
 * Reverse WebSocket (issue 4, point 5): the handshake headers, lifecycle first, actions over
 * the connection, reconnects after any close, events while disconnected delivered after
 * reconnecting, and separate API and Event connections.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DemoWorld, ReverseBackend, startDemoWorld, waitFor } from '@cqfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let world: DemoWorld;
let universal: ReverseBackend;
let split: ReverseBackend;

beforeAll(async () => {
  universal = await new ReverseBackend().start();
  split = await new ReverseBackend().start();
  const file = join(await mkdtemp(join(tmpdir(), 'gw-')), 'gateway.yaml');
  await writeFile(
    file,
    [
      'ws_reverse:',
      `  - universal: ${universal.url}/onebot/v11/ws`,
      '    accounts: [10001]',
      '    access_token: backend-secret',
      '    reconnect_interval_ms: 200',
      `  - api: ${split.url}/api`,
      `    event: ${split.url}/event`,
      '    accounts: [10002]',
      '    authorization_scheme: Token',
      '    access_token: gocq-style',
      '    reconnect_interval_ms: 200',
      '',
    ].join('\n'),
  );
  world = await startDemoWorld({
    env: { GATEWAY_CONFIG_FILE: file, GATEWAY_HEARTBEAT_INTERVAL_MS: '0' },
  });
});

afterAll(async () => {
  await world?.close();
  await universal?.stop();
  await split?.stop();
});

describe('reverse WebSocket', () => {
  it('connects with X-Self-ID, X-Client-Role, Authorization and User-Agent; lifecycle comes first', async () => {
    const c = await waitFor(() => universal.open('Universal'), 10_000, 'universal connection');
    expect(c.headers).toMatchObject({
      'x-self-id': '10001',
      'x-client-role': 'Universal',
      authorization: 'Bearer backend-secret',
    });
    expect(c.headers['user-agent']).toMatch(/CQHttp/);
    await waitFor(() => c.frames[0], 5_000, 'first frame');
    expect(c.frames[0]).toMatchObject({
      post_type: 'meta_event',
      meta_event_type: 'lifecycle',
      sub_type: 'connect',
      self_id: 10001,
    });
    expect('_post_method' in c.frames[0]!).toBe(false);
  });

  it('delivers events and answers actions on the same connection', async () => {
    const c = universal.open('Universal')!;
    const said = await world.sim.sendGroupMsg(20001, 100100, 'to the backend');
    await waitFor(() => c.frames.find(f => f.message_id === said.message_id), 10_000, 'event');
    const reply = await universal.call(c, 'get_login_info');
    expect(reply).toMatchObject({ status: 'ok', data: { user_id: 10001 } });
  });

  it('reconnects after the backend closes the connection; what happened meanwhile arrives after', async () => {
    const first = universal.open('Universal')!;
    first.ws.close(1000, 'bye');
    const during = await world.sim.sendGroupMsg(20002, 100100, 'while disconnected');
    const next = await waitFor(
      () => (universal.open('Universal') !== first ? universal.open('Universal') : undefined),
      10_000,
      'reconnect',
    );
    await waitFor(
      () => next.frames.find(f => f.message_id === during.message_id),
      10_000,
      'replayed event',
    );
    expect(next.frames[0]).toMatchObject({ meta_event_type: 'lifecycle' });
    const ids = universal.events().filter(f => f.message_id === during.message_id);
    expect(ids).toHaveLength(1);
  });

  it('separate API and Event connections, with the configured Authorization scheme', async () => {
    const api = await waitFor(() => split.open('API'), 10_000, 'api connection');
    const event = await waitFor(() => split.open('Event'), 10_000, 'event connection');
    expect(api.headers).toMatchObject({ 'x-self-id': '10002', authorization: 'Token gocq-style' });
    expect(api.path).toBe('/api');
    expect(event.path).toBe('/event');
    const said = await world.sim.sendPrivateMsg(20001, 10002, 'split roles');
    await waitFor(
      () => event.frames.find(f => f.message_id === said.message_id),
      10_000,
      'event on the Event connection',
    );
    expect(api.frames.some(f => 'post_type' in f)).toBe(false);
    expect(await split.call(api, 'get_login_info')).toMatchObject({ data: { user_id: 10002 } });
  });
});
