/**
 * Observability (issue 7, point 8): every service serves Prometheus metrics on its admin port,
 * and they move with the traffic: events in and out, actions by name and result, latencies,
 * lease changes, accounts online, media jobs and queue depth.
 */
import { SimControl } from '@cqfleet/sim-client';
import {
  type DemoWorld,
  expectOk,
  metricValue,
  scrapeMetrics,
  startDemoWorld,
} from '@cqfleet/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';

let world: DemoWorld;

beforeAll(async () => {
  world = await startDemoWorld();
});

afterAll(() => world?.close());

async function scrape(service: string): Promise<string> {
  const s = world.cluster.services.find(p => p.name === service);
  if (!s) throw new Error(`no ${service}`);
  const res = await fetch(`http://127.0.0.1:${String(s.ready.admin)}/metrics`);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return scrapeMetrics(s);
}

const value = metricValue;

it('every service counts its work', async () => {
  const sent = await expectOk<{ message_id: number }>(world.alpha, 'send_group_msg', {
    group_id: 100100,
    message: 'measured',
  });
  const said = await new SimControl(world.cluster.simulatorUrl).sendGroupMsg(
    20001,
    100100,
    'also measured',
  );
  await world.wsA.waitForEvent(e => e.message_id === said.message_id);
  // The gateway reads get_msg from the store itself (history on a miss); a history page is
  // history's own answer.
  await expectOk(world.alpha, 'get_msg', { message_id: sent.message_id });
  await expectOk(world.alpha, 'get_group_msg_history', { group_id: 100100 });
  await expectOk(world.alpha, '.get_word_slices', { content: '今天天气很好' });
  await world.alpha.call('no_such_action');

  const session = await scrape('session-1');
  expect(session).toContain('service="session"');
  expect(value(session, 'cqfleet_process_cpu_seconds_total')).toBeGreaterThan(0);
  expect(
    value(session, 'cqfleet_events_published_total', { post_type: 'message' }),
  ).toBeGreaterThan(0);
  expect(
    value(session, 'cqfleet_actions_total', { action: 'send_group_msg', result: 'ok' }),
  ).toBeGreaterThanOrEqual(1);
  expect(
    value(session, 'cqfleet_action_seconds_count', { action: 'send_group_msg' }),
  ).toBeGreaterThanOrEqual(1);
  expect(
    value(session, 'cqfleet_lease_changes_total', { group: 'accounts', change: 'acquired' }),
  ).toBe(2);
  expect(value(session, 'cqfleet_session_accounts', { state: 'online' })).toBe(2);

  const gateway = await scrape('gateway');
  expect(
    value(gateway, 'cqfleet_gateway_requests_total', { action: 'send_group_msg', result: 'ok' }),
  ).toBeGreaterThanOrEqual(1);
  expect(
    value(gateway, 'cqfleet_gateway_requests_total', {
      action: 'unknown',
      retcode: '404',
      result: 'API_NOT_FOUND',
    }),
  ).toBe(1);
  expect(value(gateway, 'cqfleet_gateway_events_received_total')).toBeGreaterThan(0);
  expect(
    value(gateway, 'cqfleet_gateway_events_delivered_total', { transport: 'ws' }),
  ).toBeGreaterThan(0);
  expect(value(gateway, 'cqfleet_gateway_ws_connections')).toBe(2);
  expect(value(gateway, 'cqfleet_gateway_stored_reads_total')).toBeGreaterThanOrEqual(1);

  const history = await scrape('history');
  expect(value(history, 'cqfleet_history_events_stored_total')).toBeGreaterThan(0);
  expect(
    value(history, 'cqfleet_actions_total', { action: 'get_group_msg_history', result: 'ok' }),
  ).toBeGreaterThanOrEqual(1);

  const media = await scrape('media');
  expect(value(media, 'cqfleet_media_jobs_total', { job: '.get_word_slices', result: 'ok' })).toBe(
    1,
  );
  expect(value(media, 'cqfleet_media_queue_jobs', { state: 'wait' })).toBe(0);
});
