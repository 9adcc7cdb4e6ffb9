import type { Push } from '@cqfleet/sim-client';
import { describe, expect, it } from 'vitest';
import { AccountHub, type DriverLink } from '../src/account-hub.js';

const link = (): DriverLink & { pushed: Push[] } => {
  const pushed: Push[] = [];
  return { pushed, send: p => pushed.push(p), kick: () => undefined, drop: () => undefined };
};

describe('account hub log', () => {
  it('keeps the last logSize events for a login to replay, however many were said', () => {
    const hub = new AccountHub(10);
    for (let i = 0; i < 1_000; i++) hub.deliver(1, { kind: 'x' } as never);
    const { lastSeq, replay } = hub.login(1, 1, 0, hub.epoch, link());
    expect(lastSeq).toBe(1_000);
    expect(replay.map(p => (p as { seq: number }).seq)).toEqual(
      Array.from({ length: 10 }, (_, i) => 991 + i),
    );
  });

  it('replays what came after resume_after, and pushes the rest live', () => {
    const hub = new AccountHub(10);
    for (let i = 0; i < 5; i++) hub.deliver(1, { kind: 'x' } as never);
    const l = link();
    const { replay } = hub.login(1, 1, 3, hub.epoch, l);
    expect(replay.map(p => (p as { seq: number }).seq)).toEqual([4, 5]);
    hub.deliver(1, { kind: 'x' } as never);
    expect(l.pushed.map(p => (p as { seq: number }).seq)).toEqual([6]);
  });

  it('is bounded in bytes too: large events push the oldest out, the newest always stays', () => {
    const hub = new AccountHub(10_000, 1024 * 1024);
    const big = { kind: 'x', pad: 'p'.repeat(100 * 1024) } as never;
    for (let i = 0; i < 100; i++) hub.deliver(1, big);
    // 100 events of 100 KiB would be 10 MB; the log keeps at most 1 MiB of them.
    expect(hub.loggedBytes(1)).toBeLessThanOrEqual(1024 * 1024);
    const { lastSeq, replay } = hub.login(1, 1, 0, hub.epoch, link());
    expect(lastSeq).toBe(100);
    expect(replay.length).toBeGreaterThanOrEqual(8);
    expect(replay.length).toBeLessThanOrEqual(10);
    expect(replay.at(-1)).toMatchObject({ seq: 100 });
    // One event larger than the whole budget is still kept, alone.
    hub.deliver(1, { kind: 'x', pad: 'p'.repeat(2 * 1024 * 1024) } as never);
    expect(
      hub.login(1, 2, 0, hub.epoch, link()).replay.map(p => (p as { seq: number }).seq),
    ).toEqual([101]);
  });

  it('measures an event once however many accounts keep it, and ordinary traffic stays within the count', () => {
    const hub = new AccountHub(10);
    const event = { kind: 'x', text: 'hello' } as never;
    for (let uin = 1; uin <= 3; uin++) for (let i = 0; i < 50; i++) hub.deliver(uin, event);
    for (let uin = 1; uin <= 3; uin++) {
      expect(hub.login(uin, 1, 0, hub.epoch, link()).replay).toHaveLength(10);
      expect(hub.loggedBytes(uin)).toBeLessThan(1_000);
    }
  });
});
