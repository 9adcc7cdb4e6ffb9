/**
 * Every protocol op as a function of (arguments, actor). The driver server runs them for a
 * logged-in account; the control API runs the same table for any person, so a simulated
 * person can do anything an account can, under the same rules. Arguments are checked against
 * the QQ side's table (`@cqfleet/qq-side`) first (`runOp`): an implementation receives them
 * typed.
 */
import { type OpName, type Ops, parseArgs, SimError } from '@cqfleet/sim-client';
import { isOpName } from '@cqfleet/qq-side';
import { fileTable } from './ops/files.js';
import { groupTable } from './ops/groups.js';
import { guildTable } from './ops/guilds.js';
import { messageTable } from './ops/messages.js';
import { peopleTable } from './ops/people.js';
import type { Op } from './ops/types.js';
import type { WorldState } from './state.js';

export type OpTable = { [K in Exclude<OpName, 'login'>]: Op<K> };

/**
 * Runs `op` for `actor`: an op the table does not have, or arguments that do not fit it, are
 * `BAD_REQUEST` (naming the field), before the world is touched.
 */
export function runOp(table: OpTable, op: string, args: unknown, actor: number): unknown {
  if (op === 'login' || !isOpName(op)) throw new SimError('BAD_REQUEST', `unknown op ${op}`);
  const name = op as Exclude<OpName, 'login'>;
  const run = table[name] as (a: unknown, actor: number) => unknown;
  return run(parseArgs(name, args), actor);
}

/** Every op of `table` called as a caller writes it: arguments checked by `runOp` first. */
export type OpCaller = {
  [K in Exclude<OpName, 'login'>]: (args: Ops[K]['args'], actor: number) => Ops[K]['result'];
};

export function callerOf(table: OpTable): OpCaller {
  return new Proxy({} as OpCaller, {
    get: (_t, op) => (args: unknown, actor: number) => runOp(table, String(op), args, actor),
  });
}

/** Reads a route parameter of the control API as an integer (numbers or decimal strings). */
export function int(value: unknown, name: string): number {
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n))
    throw new SimError('BAD_REQUEST', `${name} must be an integer`);
  return n;
}

export function optInt(value: unknown, name: string): number | undefined {
  return value === undefined || value === null || value === 0 ? undefined : int(value, name);
}

export function str(value: unknown, name: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new SimError('BAD_REQUEST', `${name} must be a string`);
  return value;
}

export function bool(value: unknown): boolean {
  return value === true || value === 'true' || value === 1 || value === '1';
}
export function opTable(w: WorldState): OpTable {
  return {
    ...peopleTable(w),
    ...groupTable(w),
    ...messageTable(w),
    ...fileTable(w),
    ...guildTable(w),
  };
}
