/**
 * The `onebot` driver against a forward upstream of the test's own and real Redis: what an
 * upstream says and sends is bounded where it enters cqfleet.
 *
 * - A post type that is not OneBot's is refused and counted, never published (it would be a
 *   NATS subject of its own, or one that cannot be published at all).
 * - Media notes: only for events the account took, at most MAX_NOTES_PER_EVENT per event, fields
 *   of bounded length (a long name is still found by its look-up); an upstream flooding events
 *   of new names leaves at most MAX_NOTES_PER_ACCOUNT notes (MAX_NOTES_BYTES_PER_ACCOUNT) in
 *   two keys, the latest answered, and writes no more than the account's rate.
 * - What ends in `<ns>:account-status`: the nickname, a failed login's wording, a mismatched
 *   login's id — all cut to MAX_UPSTREAM_TEXT_BYTES.
 * - Login and version answers of any shape (`data: null`) do not keep the account offline.
 * - An upstream that stops reading gets its actions refused (SERVICE_UNAVAILABLE) once its link
 *   holds more than UPSTREAM_BUFFER_LIMITS' soft bound and none of it was read for the stall
 *   period, instead of queueing them until they time out.
 */
import type { AddressInfo } from 'node:net';
import { Namespace } from '@cqfleet/contracts';
import type { OneBotEvent } from '@cqfleet/onebot';
import { createLogger, metricsRegistry, type NatsConnection, Redis } from '@cqfleet/runtime';
import { metricValue, testInfra, uniqueNamespace, waitFor } from '@cqfleet/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import type { DriverHooks, DriverState } from '../src/driver/driver.js';
import { MAX_UPSTREAM_TEXT_BYTES } from '../src/upstream/frames.js';
import { type BufferLimits, UPSTREAM_BUFFER_LIMITS } from '../src/upstream/links.js';
import {
  MAX_NAME_BYTES,
  MAX_NOTES_BYTES_PER_ACCOUNT,
  MAX_NOTES_PER_ACCOUNT,
  MAX_NOTES_PER_EVENT,
  NOTE_LIMITS,
  type NoteLimits,
} from '../src/upstream/media-names.js';
import { OneBotDriver } from '../src/upstream/onebot-driver.js';

const UIN = 30777;
const log = createLogger('test', 'silent');
let redis: Redis;

beforeAll(() => {
  redis = new Redis(testInfra().redisUrl);
});
afterAll(() => redis?.disconnect());

type Answer = (action: string) => unknown;
const ok = (data: unknown) => ({ status: 'ok', retcode: 0, data });
const standard: Answer = action =>
  action === 'get_login_info'
    ? ok({ user_id: UIN, nickname: 'bot' })
    : action === 'get_version_info'
      ? ok({ app_name: 'NapCat.Onebot' })
      : undefined;

/** A forward upstream: answers actions with `answer` (undefined: no answer). */
class Upstream {
  readonly server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  socket?: WebSocket;
  answer: Answer = standard;

  constructor() {
    this.server.on('connection', ws => {
      this.socket = ws;
      ws.on('message', data => {
        const { action, echo } = JSON.parse(data.toString()) as { action: string; echo: string };
        const reply = this.answer(action);
        if (reply !== undefined) ws.send(JSON.stringify({ ...(reply as object), echo }));
      });
    });
  }

  async url(): Promise<string> {
    if (!this.server.address()) await new Promise(r => this.server.once('listening', r));
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  send(frame: unknown): void {
    this.socket!.send(JSON.stringify(frame));
  }

  async close(): Promise<void> {
    for (const c of this.server.clients) c.terminate();
    await new Promise(r => this.server.close(r));
  }
}

/** A driver of UIN on `upstream`, with hooks that record what it reports. */
async function driverOn(
  upstream: Upstream,
  takes = true,
  bufferLimits?: BufferLimits,
  noteLimits?: Partial<NoteLimits>,
) {
  const ns = new Namespace(uniqueNamespace('updrv'));
  const events: OneBotEvent[] = [];
  const states: Array<{ state: DriverState; detail?: string }> = [];
  const driver = new OneBotDriver(
    { uin: UIN, fence: 1, options: { url: await upstream.url(), timeoutMs: 2_000 } },
    log,
    // A forward upstream is not relayed: NATS is not used.
    {
      nc: undefined as unknown as NatsConnection,
      redis,
      ns,
      maxFrameBytes: 64 * 1024 * 1024,
      bufferLimits,
      noteLimits,
    },
  );
  const hooks: DriverHooks = {
    onEvent: () => undefined,
    // A hook answers whether the account took the event (account.ts's offer).
    onOneBotEvent: event => {
      events.push(event);
      return takes;
    },
    onState: (state, detail) => states.push({ state, detail }),
    cursor: () => undefined,
  };
  driver.start(hooks);
  stops.push(() => driver.stop());
  return { driver, ns, events, states };
}

const stops: Array<() => Promise<void>> = [];
const upstreams: Upstream[] = [];
function upstream(): Upstream {
  const u = new Upstream();
  upstreams.push(u);
  return u;
}
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  for (const u of upstreams.splice(0)) await u.close();
});

const online = (d: { state: DriverState }) =>
  waitFor(() => (d.state === 'online' ? true : undefined), 5_000, 'online');

function imageMessage(count: number, name: (n: number) => string, id = 1, url = '') {
  return {
    post_type: 'message',
    message_type: 'private',
    user_id: 20001,
    message_id: id,
    message: Array.from({ length: count }, (_, n) => ({
      type: 'image',
      data: { file: name(n), url: `https://example.invalid/${n}${url}` },
    })),
  };
}

/** The account's keys in Redis under `umedia`. */
async function mediaKeys(ns: Namespace): Promise<string[]> {
  return redis.keys(`${ns.key('umedia', UIN)}*`);
}

/** Every note of the account: its field and value, whichever key holds it. */
async function mediaNotes(ns: Namespace): Promise<Array<[string, string]>> {
  const notes: Array<[string, string]> = [];
  for (const key of await mediaKeys(ns)) notes.push(...Object.entries(await redis.hgetall(key)));
  return notes;
}

describe('the onebot driver at its border', () => {
  it('refuses and counts an event whose post_type is not OneBot’s', async () => {
    const up = upstream();
    const d = await driverOn(up);
    await online(d.driver);
    const refused = async () =>
      metricValue(
        await metricsRegistry.metrics(),
        'cqfleet_session_upstream_frames_refused_total',
        { reason: 'unknown_post_type' },
      );
    for (const post_type of ['no tice', 'a.b', 'custom'])
      up.send({ post_type, notice_type: 'x', user_id: 1 });
    up.send({ post_type: 'notice', notice_type: 'friend_add', user_id: 1 });
    await waitFor(() => (d.events.length > 0 ? true : undefined));
    expect(d.events.map(e => e.post_type)).toEqual(['notice']);
    expect(await refused()).toBe(3);
  });

  it('notes media of taken events only, at most MAX_NOTES_PER_EVENT each, keys bounded', async () => {
    const up = upstream();
    const taken = await driverOn(up, true);
    await online(taken.driver);
    up.send(imageMessage(5_000, n => `${n}-${'x'.repeat(10_000)}.image`));
    await waitFor(async () => ((await mediaNotes(taken.ns)).length > 0 ? true : undefined));
    const notes = await mediaNotes(taken.ns);
    expect(notes.length).toBe(MAX_NOTES_PER_EVENT);
    for (const [field] of notes)
      expect(Buffer.byteLength(field)).toBeLessThanOrEqual('image:'.length + MAX_NAME_BYTES);
    // Found by its whole name, which it is keyed by the digest of.
    const long = `0-${'x'.repeat(10_000)}.image`;
    const info = await taken.driver.media('image', long);
    expect(info.url).toBe('https://example.invalid/0');
    expect(Buffer.byteLength(info.filename)).toBeLessThanOrEqual(MAX_NAME_BYTES);
    await taken.driver.stop();

    const refusing = await driverOn(up, false);
    await online(refusing.driver);
    up.send(imageMessage(3, n => `${n}.image`, 2));
    await waitFor(() => (refusing.events.length > 0 ? true : undefined));
    // Notes are written after the hook answered; give a stray write time to land.
    await new Promise(r => setTimeout(r, 200));
    expect(await mediaKeys(refusing.ns)).toEqual([]);
  });

  it('keeps at most MAX_NOTES_PER_ACCOUNT notes of an upstream flooding new names', async () => {
    const up = upstream();
    // The account's rate and backlog out of the way: what Redis holds is bounded by itself.
    const d = await driverOn(up, true, undefined, {
      rate: Infinity,
      burst: Infinity,
      accountBacklogBytes: Infinity,
      workerBacklogBytes: Infinity,
    });
    await online(d.driver);
    // URLs of ~4 KB (MAX_URL_BYTES is 4 KiB): 30 events × 100 new names ≈ 12 MB noted.
    const long = `?${'u'.repeat(3_900)}`;
    for (let e = 0; e < 30; e++)
      up.send(imageMessage(MAX_NOTES_PER_EVENT, n => `e${e}-${n}.image`, e + 1, long));
    up.send(imageMessage(1, () => 'last.image', 99, long));
    // Writes are answered in order: once the last is found, every one before it was written.
    await waitFor(
      () =>
        d.driver.media('image', 'last.image').then(
          () => true,
          () => undefined,
        ),
      10_000,
      'the last note',
    );
    expect((await mediaKeys(d.ns)).length).toBeLessThanOrEqual(2);
    const notes = await mediaNotes(d.ns);
    expect(notes.length).toBeLessThanOrEqual(MAX_NOTES_PER_ACCOUNT);
    const bytes = notes.reduce(
      (sum, [f, v]) => sum + Buffer.byteLength(f) + Buffer.byteLength(v),
      0,
    );
    expect(bytes).toBeLessThanOrEqual(MAX_NOTES_BYTES_PER_ACCOUNT);
    // The latest are answered, the oldest are gone.
    expect((await d.driver.media('image', 'e29-0.image')).url).toContain('/0?uuu');
    await expect(d.driver.media('image', 'e0-0.image')).rejects.toMatchObject({
      msg: 'IMAGE_NOT_FOUND',
    });
    // Every key of the account expires.
    for (const key of await mediaKeys(d.ns)) expect(await redis.ttl(key)).toBeGreaterThan(0);
  });

  it('writes no more notes than the account’s bucket holds', async () => {
    const up = upstream();
    const d = await driverOn(up);
    await online(d.driver);
    const started = performance.now();
    for (let e = 0; e < 20; e++)
      up.send(imageMessage(MAX_NOTES_PER_EVENT, n => `r${e}-${n}.image`, e + 1));
    await waitFor(() => (d.events.length === 20 ? true : undefined));
    // Give the last writes time to land.
    await new Promise(r => setTimeout(r, 200));
    const seconds = (performance.now() - started) / 1000;
    const notes = await mediaNotes(d.ns);
    expect(notes.length).toBeGreaterThanOrEqual(NOTE_LIMITS.burst);
    expect(notes.length).toBeLessThanOrEqual(NOTE_LIMITS.burst + NOTE_LIMITS.rate * seconds + 1);
  });

  it('cuts what the upstream says of itself to MAX_UPSTREAM_TEXT_BYTES', async () => {
    const up = upstream();
    const huge = '名'.repeat(100_000);
    up.answer = action =>
      action === 'get_login_info' ? ok({ user_id: UIN, nickname: huge }) : standard(action);
    const d = await driverOn(up);
    await online(d.driver);
    const nickname = (await d.driver.self()).nickname;
    expect(nickname.startsWith('名名')).toBe(true);
    expect(Buffer.byteLength(nickname)).toBeLessThanOrEqual(MAX_UPSTREAM_TEXT_BYTES);
    await d.driver.stop();

    for (const answer of [
      { status: 'failed', retcode: 1200, message: huge },
      ok({ user_id: '9'.repeat(100_000), nickname: 'x' }),
      ok({ user_id: huge, nickname: 'x' }),
    ]) {
      up.answer = action => (action === 'get_login_info' ? answer : standard(action));
      const failing = await driverOn(up);
      const offline = await waitFor(() => failing.states.find(s => s.state === 'offline'));
      expect(offline.detail).toBeTruthy();
      expect(Buffer.byteLength(offline.detail!)).toBeLessThanOrEqual(MAX_UPSTREAM_TEXT_BYTES);
      await failing.driver.stop();
    }
  });

  it('comes online whatever shape the login and version answers have', async () => {
    const up = upstream();
    up.answer = action =>
      action === 'get_login_info'
        ? ok({ user_id: String(UIN) })
        : action === 'get_version_info'
          ? ok(null)
          : undefined;
    const d = await driverOn(up);
    await online(d.driver);
    expect(d.driver.flavor).toBe('unknown');
    expect((await d.driver.self()).nickname).toBe('');
    expect(d.states.filter(s => s.state === 'offline')).toEqual([]);
    await d.driver.stop();

    // A nickname that is no string (null, a number) is '' — the reply's shape check and the
    // login reading agree; a refusal here reconnected every 5 s and never came online.
    for (const nickname of [null, 12345]) {
      up.answer = action =>
        action === 'get_login_info' ? ok({ user_id: UIN, nickname }) : standard(action);
      const other = await driverOn(up);
      await online(other.driver);
      expect((await other.driver.self()).nickname).toBe('');
      expect(other.states.filter(s => s.state === 'offline')).toEqual([]);
      await other.driver.stop();
    }
  });

  it('gives a request up at its action’s deadline, not at the upstream’s timeout', async () => {
    const up = upstream();
    const d = await driverOn(up);
    await online(d.driver);
    // The upstream never answers send_private_msg; the driver's own timeout is 2 s.
    const deadline = AbortSignal.timeout(100);
    const started = performance.now();
    const err = await d.driver
      .action('send_private_msg', { user_id: 1, message: 'x'.repeat(1024) }, deadline)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ msg: 'TIMEOUT' });
    expect(performance.now() - started).toBeLessThan(1_000);
    // Nothing of the request is held any more: no entry waits for an answer.
    expect((d.driver as unknown as { pending: Map<string, unknown> }).pending.size).toBe(0);
    // A signal already fired sends nothing.
    await expect(
      d.driver.action('send_private_msg', { user_id: 1, message: 'y' }, deadline),
    ).rejects.toMatchObject({ msg: 'TIMEOUT' });
  });

  it('refuses actions once its upstream has read nothing for the stall period', async () => {
    const up = upstream();
    const stallMs = 500;
    const d = await driverOn(up, true, { ...UPSTREAM_BUFFER_LIMITS, stallMs });
    await online(d.driver);
    // The upstream stops reading: what is sent stays in the kernel's buffers, then in ws's.
    (up.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const big = 'x'.repeat(2 * 1024 * 1024);
    const outcomes: Array<Promise<unknown>> = [];
    const started = performance.now();
    let refusedAt: number | undefined;
    for (let n = 0; n < 100 && refusedAt === undefined; n++) {
      outcomes.push(
        d.driver.action('send_private_msg', { user_id: 1, message: big }).catch(err => {
          if ((err as { msg?: string }).msg === 'SERVICE_UNAVAILABLE')
            refusedAt ??= performance.now() - started;
          return err;
        }),
      );
      await new Promise(r => setTimeout(r, 50));
    }
    // Not at once past the soft bound (8 MiB, four of these): only once nothing moved for
    // stallMs; and then at once (within a few more actions), not at the timeout.
    expect(refusedAt, 'no action refused').toBeDefined();
    expect(refusedAt!).toBeGreaterThanOrEqual(stallMs);
    expect(refusedAt!).toBeLessThan(stallMs + 1_500);
    await d.driver.stop();
    await Promise.all(outcomes);
  });
});
