/**
 * What one call may do to the others on its stream (bounds.ts), over real gRPC in this process:
 * - a reply too large for one gRPC message fails that call alone (grpc-js would end the whole
 *   multiplexed stream, failing every call on it);
 * - the owner's deadline is shorter than the caller's wait, so a slow action is answered
 *   TIMEOUT instead of the caller giving up on the owner.
 */
import { OneBotError } from '@cqfleet/onebot';
import { QQRead, type QQReadReply, QQSideClient } from '@cqfleet/proto';
import { CHANNEL_OPTIONS, insecure } from '@cqfleet/runtime';
import { Metadata } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { type Execute, MAX_MESSAGE_BYTES, ownerDeadlineMs, qqSideService } from '@cqfleet/rpc';
import { actionRequest, log, TestServers } from './harness.js';

const servers = new TestServers();
const req = actionRequest;

const serve = (execute: Execute, maxMs = 30_000) => servers.serveActions(execute, { maxMs });

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
/** A call kept waiting until the test releases it: in flight while the other call is answered. */
function held(): { wait: Promise<void>; release(): void } {
  let release!: () => void;
  const wait = new Promise<void>(resolve => (release = resolve));
  return { wait, release };
}

/** A string whose JSON is just over one gRPC message. */
const huge = () => 'x'.repeat(MAX_MESSAGE_BYTES + 1);

describe('rpc - one call cannot break the stream', () => {
  it('a result over the message size fails alone; a call in flight on the stream succeeds', async () => {
    const gate = held();
    const ch = await serve(async r => {
      if (r.action === 'huge') return huge();
      await gate.wait;
      return 'small';
    });
    const small = ch.call(req('small'), 10_000);
    await sleep(20);
    const big = await ch.call(req('huge'), 10_000).finally(gate.release);
    expect(big).toMatchObject({ retcode: 100, msg: 'RESULT_TOO_LARGE', executed: true });
    expect(big.wording).toContain(String(MAX_MESSAGE_BYTES));
    const answered = await small;
    expect(answered.retcode).toBe(0);
    expect(Buffer.from(answered.dataJson).toString()).toBe('"small"');
  }, 30_000);

  it("a failure whose wording is over the message size (an upstream's) fails alone too", async () => {
    const gate = held();
    const ch = await serve(async r => {
      if (r.action === 'huge') throw OneBotError.fromFailure(100, 'API_ERROR', huge());
      await gate.wait;
      return 'small';
    });
    const small = ch.call(req('small'), 10_000);
    await sleep(20);
    const big = await ch.call(req('huge'), 10_000).finally(gate.release);
    expect(big).toMatchObject({ retcode: 100, msg: 'RESULT_TOO_LARGE', executed: true });
    expect(big.wording.length).toBeLessThan(200);
    expect((await small).retcode).toBe(0);
  }, 30_000);

  it('a request over the message size is refused unsent; a call in flight on the stream succeeds', async () => {
    const gate = held();
    const ch = await serve(async () => {
      await gate.wait;
      return 'ok';
    });
    const small = ch.call(req('small'), 10_000);
    await sleep(20);
    const params = Buffer.from(JSON.stringify(huge()));
    await expect(
      ch.call({ ...req('x'), paramsJson: params }, 10_000).finally(gate.release),
    ).rejects.toMatchObject({ msg: 'REQUEST_TOO_LARGE' });
    expect((await small).retcode).toBe(0);
  }, 30_000);
});

describe('rpc - a QQ-side read too large to return', () => {
  it('is answered as a failure with its tag, not a gRPC error', async () => {
    const server = await servers.serve([qqSideService(async () => huge() as never, log)]);
    const client = new QQSideClient(`127.0.0.1:${server.port}`, insecure(), CHANNEL_OPTIONS);
    try {
      const reply = await new Promise<QQReadReply>((resolve, reject) =>
        client.read(
          {
            selfId: 10001,
            fence: 1,
            read: QQRead.QQ_READ_MESSAGE,
            argsJson: Buffer.from('{}'),
            deadlineMs: 5_000,
          },
          new Metadata(),
          (err, r) => (err ? reject(err) : resolve(r)),
        ),
      );
      expect(reply).toMatchObject({ retcode: 100, msg: 'RESULT_TOO_LARGE', executed: true });
    } finally {
      client.close();
    }
  }, 30_000);
});

describe('rpc - the owner answers before the caller gives up', () => {
  it('a slow action is answered TIMEOUT within the wait, not a ChannelError', async () => {
    // The owner's own bound is long (a session worker's is its action timeout, 30 s by default).
    const ch = await serve(async (_r, signal) => {
      await new Promise(resolve => signal.addEventListener('abort', resolve));
    });
    const started = Date.now();
    const reply = await ch.call(req('slow'), 1_000);
    expect(reply).toMatchObject({ retcode: 100, msg: 'TIMEOUT', executed: true });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('ownerDeadlineMs: a margin of at most 1 s and at most a fifth of the wait', () => {
    expect(ownerDeadlineMs(30_000)).toBe(29_000);
    expect(ownerDeadlineMs(1_000)).toBe(800);
    expect(ownerDeadlineMs(100)).toBe(80);
    expect(ownerDeadlineMs(1)).toBe(1);
  });
});
