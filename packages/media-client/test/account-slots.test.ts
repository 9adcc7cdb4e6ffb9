/**
 * One account's share of the shared media queue (account-slots.ts): past `perAccount` its jobs
 * wait in this process, in order; other accounts are not held behind them; a job that waited
 * past its timeout never takes a slot.
 */
import { describe, expect, it } from 'vitest';
import { AccountSlots } from '@cqfleet/media-client';

describe('account slots', () => {
  it('lets perAccount jobs of an account in at once; the rest wait, in order', async () => {
    const slots = new AccountSlots(2);
    const a = await slots.acquire(1, 1_000);
    const b = await slots.acquire(1, 1_000);
    const order: string[] = [];
    const c = slots.acquire(1, 1_000).then(r => (order.push('c'), r));
    const d = slots.acquire(1, 1_000).then(r => (order.push('d'), r));
    // Another account is not behind them.
    const other = await slots.acquire(2, 1_000);
    expect(slots.inQueue(1)).toBe(2);
    a();
    (await c)();
    b();
    (await d)();
    expect(order).toEqual(['c', 'd']);
    expect(slots.inQueue(1)).toBe(0);
    other();
    expect(slots.inQueue(2)).toBe(0);
  });

  it('a job waiting past its timeout is TIMEOUT and takes no slot', async () => {
    const slots = new AccountSlots(1);
    const held = await slots.acquire(1, 1_000);
    await expect(slots.acquire(1, 20)).rejects.toMatchObject({ msg: 'TIMEOUT' });
    held();
    expect(slots.inQueue(1)).toBe(0);
    // Given back twice, a slot counts once.
    const again = await slots.acquire(1, 1_000);
    again();
    again();
    expect(slots.inQueue(1)).toBe(0);
  });

  it('a job whose caller’s signal fires leaves the line at once and takes no slot', async () => {
    const slots = new AccountSlots(1);
    const held = await slots.acquire(1, 1_000);
    const deadline = new AbortController();
    const waiting = slots.acquire(1, 30_000, deadline.signal);
    const next = slots.acquire(1, 30_000);
    expect(slots.waitingFor(1)).toBe(2);
    deadline.abort(new Error('deadline'));
    await expect(waiting).rejects.toThrow('deadline');
    expect(slots.waitingFor(1)).toBe(1);
    // The slot given back goes to the caller still waiting, not to the one gone.
    held();
    (await next)();
    expect(slots.inQueue(1)).toBe(0);
    expect(slots.waitingFor(1)).toBe(0);
    // A signal already fired takes no slot either, even a free one.
    await expect(slots.acquire(1, 1_000, deadline.signal)).rejects.toThrow('deadline');
    expect(slots.inQueue(1)).toBe(0);
  });
});
