/**
 * Hostile frames from an upstream (issue 15): the JSON text `null`, `[]`, `"x"`, `42`, events
 * with ids of the wrong type or a message that is an object, and a frame over the size limit,
 * sent by a forward upstream and by a reverse one through the gateway's relay. Before, the
 * first took the session worker down (forward) or wedged the relay inside a NATS callback
 * (reverse). Now each is refused and counted, the worker keeps running, the account stays
 * online, and the next well-formed event is published and stored.
 *
 * And a well-formed lie: an upstream claiming a native account's group message (same group,
 * seq and id) is stored under the upstream's account alone — the native record stays, and the
 * group's history stays closed to the upstream.
 */
import {
  metricValue,
  OneBotHttp,
  scrapeMetrics,
  startTestCluster,
  type TestCluster,
  untilOnline,
  waitFor,
} from '@cqfleet/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectReverse, messageFrame, text } from './scripted-reverse.js';
import { StandInUpstream } from './standin-upstream.js';

const FORWARD = 30201;
const REVERSE = 30202;
const TOKEN = 'hostile-token';
const GROUP = 610610;
/** A native account of the demo world, in its group 100100. */
const NATIVE = 10001;
const DEMO_GROUP = 100100;
/** The worker refuses frames over this (SESSION_UPSTREAM_MAX_FRAME_BYTES). */
const MAX_FRAME = 64 * 1024;

const HOSTILE = [
  'null',
  '[]',
  '"x"',
  '42',
  '{not json',
  JSON.stringify({ post_type: 5 }),
  JSON.stringify({ post_type: 'message', message_type: 'group', group_id: 1, message: { a: 1 } }),
  JSON.stringify({ post_type: 'message', message_type: 'group', group_id: [GROUP], message: 'x' }),
  JSON.stringify({ post_type: 'notice', notice_type: 'group_recall', group_id: { $ne: 0 } }),
  JSON.stringify({ post_type: 'message', message_type: 'private', user_id: 1, message: [null] }),
];
/** Over the size limit: dropped from a relayed socket; a forward connection is closed (1009). */
const OVERSIZED = `{"post_type":"message","message":"${'x'.repeat(MAX_FRAME)}"}`;

let cluster: TestCluster;
let upstream: StandInUpstream;

beforeAll(async () => {
  upstream = await new StandInUpstream(FORWARD, 'forward bot', TOKEN).start();
  cluster = await startTestCluster({
    accounts: [NATIVE],
    env: { SESSION_UPSTREAM_MAX_FRAME_BYTES: String(MAX_FRAME), GATEWAY_ADMIN_TOKEN: 'admin' },
  });
  for (const [uin, options] of [
    [FORWARD, { url: upstream.url, token: TOKEN }],
    [REVERSE, { mode: 'reverse', token: TOKEN }],
  ] as const) {
    const res = await fetch(`${cluster.gateways[0]!.adminUrl}/accounts/${uin}`, {
      method: 'PUT',
      headers: { authorization: 'Bearer admin', 'content-type': 'application/json' },
      body: JSON.stringify({ driver: 'onebot', options }),
    });
    expect(res.status).toBe(201);
  }
}, 60_000);

afterAll(async () => {
  upstream?.close();
  await cluster?.stop();
});

/** The message `id` of account `uin` once history has stored it. */
const storedBy = (uin: number, id: number) =>
  waitFor(
    async () => {
      const r = await new OneBotHttp(`${cluster.httpUrl}/${uin}`).call<{ message: unknown }>(
        'get_msg',
        { message_id: id },
      );
      return r.status === 'ok' ? r.data : undefined;
    },
    10_000,
    `message ${id} of ${uin} stored`,
  );

async function refusedSoFar(): Promise<number> {
  const session = cluster.services.find(s => s.name.startsWith('session'))!;
  try {
    return metricValue(
      await scrapeMetrics(session),
      'cqfleet_session_upstream_frames_refused_total',
    );
  } catch {
    return 0; // not one refused yet
  }
}

it.each([
  ['forward', FORWARD],
  ['reverse (relayed)', REVERSE],
] as const)(
  'a %s upstream’s hostile frames are refused; the account stays online',
  async (_how, uin) => {
    const reverse = uin === REVERSE ? await connectReverse(cluster.wsUrl, uin, TOKEN) : undefined;
    const send = (raw: string) => (reverse ? reverse.ws.send(raw) : upstream.push(raw));
    try {
      await untilOnline(cluster.httpUrl, uin, 15_000);
      const before = await refusedSoFar();
      for (const raw of HOSTILE) send(raw);
      send(messageFrame(uin, 4242 + uin, [text('after the storm')], GROUP));
      const stored = await storedBy(uin, 4242 + uin);
      expect(JSON.stringify(stored.message)).toContain('after the storm');
      await waitFor(async () =>
        (await refusedSoFar()) >= before + HOSTILE.length ? true : undefined,
      );
      send(OVERSIZED);
      if (reverse)
        await waitFor(async () =>
          (await refusedSoFar()) >= before + HOSTILE.length + 1 ? true : undefined,
        );
      else await waitFor(async () => (upstream.connections.length > 1 ? true : undefined));
      for (const s of cluster.services) expect(s.child.exitCode, s.name).toBeNull();
      await untilOnline(cluster.httpUrl, uin, 5_000);
    } finally {
      reverse?.ws.close();
    }
  },
);

it('an upstream claiming a native group message keeps the lie to itself', async () => {
  await untilOnline(cluster.httpUrl, FORWARD, 15_000);
  const native = new OneBotHttp(`${cluster.httpUrl}/${NATIVE}`);
  const sent = await native.ok<{ message_id: number }>('send_group_msg', {
    group_id: DEMO_GROUP,
    message: 'the real one',
  });
  const real = await storedBy(NATIVE, sent.message_id);
  const seq = (real as { message_seq?: number }).message_seq;
  const history = await native.ok<{ messages: Array<{ message_seq: number }> }>(
    'get_group_msg_history',
    { group_id: DEMO_GROUP },
  );
  const top = history.messages.at(-1)!.message_seq;
  expect(seq ?? top).toBeGreaterThan(0);
  const lie = JSON.parse(messageFrame(FORWARD, sent.message_id, [text('forged')], DEMO_GROUP));
  upstream.push(JSON.stringify({ ...lie, message_seq: top }));
  expect(JSON.stringify((await storedBy(FORWARD, sent.message_id)).message)).toContain('forged');
  expect(
    JSON.stringify(
      (await native.ok<{ message: unknown }>('get_msg', { message_id: sent.message_id })).message,
    ),
  ).toContain('the real one');
  const theirs = await new OneBotHttp(`${cluster.httpUrl}/${FORWARD}`).call<{
    messages: Array<{ message: unknown }>;
  }>('get_group_msg_history', { group_id: DEMO_GROUP, message_seq: top });
  const seen = JSON.stringify(theirs.data?.messages ?? []);
  expect(seen).not.toContain('the real one');
  expect(seen).toContain('forged');
});
