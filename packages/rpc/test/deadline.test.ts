/**
 * The action's deadline reaches the work (server.ts `runAction`): the handler gets an
 * AbortSignal that fires, with the same TIMEOUT the caller is answered, when the deadline
 * passes, so a loop checking it between steps stops instead of running on for nobody.
 */
import { MessageFormat } from '@cqfleet/proto';
import { createLogger } from '@cqfleet/runtime';
import { describe, expect, it } from 'vitest';
import { runAction } from '@cqfleet/rpc';

const log = createLogger('test', 'silent');

const req = (deadlineMs: number) => ({
  callId: 1,
  selfId: 10001,
  action: 'send_group_msg',
  paramsJson: Buffer.from('{}'),
  messageFormat: MessageFormat.MESSAGE_FORMAT_STRING,
  deadlineMs,
  fence: 0,
});

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

describe('rpc - the deadline stops the work', () => {
  it('a handler looping in steps stops once the deadline fired', async () => {
    let steps = 0;
    let seen: unknown;
    let stopped!: () => void;
    const done = new Promise<void>(resolve => (stopped = resolve));
    const reply = await runAction(
      req(60),
      async (_req, signal) => {
        try {
          for (;;) {
            signal.throwIfAborted();
            steps++;
            await sleep(5);
          }
        } catch (err) {
          seen = err;
          throw err;
        } finally {
          stopped();
        }
      },
      log,
      30_000,
    );
    expect(reply).toMatchObject({ retcode: 100, msg: 'TIMEOUT', executed: true });
    await done;
    const after = steps;
    await sleep(50);
    expect(steps).toBe(after);
    expect(seen).toMatchObject({ msg: 'TIMEOUT' });
  });

  it('the server bound applies when the caller asked for longer; a finished action is not aborted', async () => {
    let signal: AbortSignal | undefined;
    const slow = await runAction(
      req(0),
      async (_req, s) => {
        signal = s;
        await sleep(200);
      },
      log,
      40,
    );
    expect(slow.msg).toBe('TIMEOUT');
    expect(signal?.aborted).toBe(true);
    const fast = await runAction(
      req(1_000),
      async (_req, s) => {
        signal = s;
        return 'ok';
      },
      log,
      30_000,
    );
    expect(fast.retcode).toBe(0);
    await sleep(20);
    expect(signal?.aborted).toBe(false);
  });
});
