/**
 * History runs at most `maxPerAccount` calls of one account at once: past it RATE_LIMIT_QUEUE_FULL
 * at once, while another account's calls still run; a slot comes back when its handler ends,
 * failed or not.
 */
import { ActionRequest } from '@cqfleet/proto';
import { describe, expect, it } from 'vitest';
import { AccountCalls, createExecutor } from '../src/executor.js';
import type { HistoryHandlers } from '../src/handlers/index.js';

function world(max: number) {
  const gates: Array<{ open(): void; fail(): void }> = [];
  const handlers = {
    get_msg: () =>
      new Promise((resolve, reject) =>
        gates.push({ open: () => resolve({ ok: true }), fail: () => reject(new Error('boom')) }),
      ),
  } as unknown as HistoryHandlers;
  const execute = createExecutor(handlers, new AccountCalls(max));
  const call = (selfId: number) =>
    execute(
      ActionRequest.fromPartial({
        action: 'get_msg',
        selfId,
        paramsJson: Buffer.from('{"message_id":1}'),
      }),
    );
  return { gates, call };
}

describe('history executor', () => {
  it('refuses an account past its calls in flight, not another; gives slots back', async () => {
    const w = world(2);
    const a1 = w.call(10001);
    const a2 = w.call(10001);
    await expect(w.call(10001)).rejects.toMatchObject({ msg: 'RATE_LIMIT_QUEUE_FULL' });
    const b = w.call(10002);
    expect(w.gates).toHaveLength(3);
    w.gates[0]!.open();
    w.gates[1]!.fail();
    w.gates[2]!.open();
    await expect(a1).resolves.toEqual({ ok: true });
    await expect(a2).rejects.toThrow('boom');
    await expect(b).resolves.toEqual({ ok: true });
    const again = [w.call(10001), w.call(10001)];
    expect(w.gates).toHaveLength(5);
    w.gates[3]!.open();
    w.gates[4]!.open();
    await Promise.all(again);
  });
});
