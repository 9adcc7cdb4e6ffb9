/**
 * The demo world in process, as the driver server runs it, for the simulator's rule tests:
 * 10001 owns 100100, Alice (20001) is an admin there, Bob (20002) and others are members;
 * 10002 is a member of 100100 and an admin of 100200. Each call builds a fresh world.
 */
import type { SimEvent } from '@cqfleet/sim-client';
import {
  buildWorld,
  callerOf,
  DEMO_WORLD_PATH,
  loadWorldFile,
  type OpCaller,
  opTable,
  type WorldState,
} from '@cqfleet/simulator';
import { expect } from 'vitest';

const file = await loadWorldFile(DEMO_WORLD_PATH);

export interface DemoWorld {
  w: WorldState;
  /** The ops as the driver server runs them: arguments checked against the QQ side's table. */
  ops: OpCaller;
  /** The events of `kind` that account `uin` was told, in order. */
  of: (uin: number, kind: SimEvent['kind']) => SimEvent[];
}

export function demoWorld(options: { publicUrl?: string } = {}): DemoWorld {
  const w = buildWorld(file, { seqBase: 100, ...options });
  const events: Array<{ uin: number; event: SimEvent }> = [];
  w.onAccountEvent = (uin, event) => events.push({ uin, event });
  return {
    w,
    ops: callerOf(opTable(w)),
    of: (uin, kind) => events.filter(e => e.uin === uin && e.event.kind === kind).map(e => e.event),
  };
}

/** A text message's elements. */
export const text = (t: string) => [{ type: 'text', data: { text: t } }];

/** Expects `fn` to fail with the simulator error `code`. */
export const fails = (fn: () => unknown, code: string) =>
  expect(fn).toThrowError(expect.objectContaining({ code }));
