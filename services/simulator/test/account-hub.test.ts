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
});
