/** How an op is implemented: its arguments as the QQ side's table reads them, and the actor. */
import type { OpName, Ops } from '@cqfleet/sim-client';

export type Op<K extends OpName> = (args: Ops[K]['parsed'], actor: number) => Ops[K]['result'];

/** The implementations of a domain's ops (one of @cqfleet/qq-side's ops/ tables). */
export type OpsOf<T> = { [K in keyof T & Exclude<OpName, 'login'>]: Op<K> };
