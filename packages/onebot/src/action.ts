/**
 * What one action is, as data: who answers it, its parameter schema (with go-cqhttp's
 * coercion and aliases) and the schema of its `data`. Handler and client types are derived
 * from these schemas so they cannot drift from the table.
 */
import type { z } from 'zod';

/**
 * The service that owns the answer. The gateway routes by this field:
 * - `session`: the worker that owns the account (it talks to the QQ side);
 * - `history`: the message store;
 * - `media`: the BullMQ media workers;
 * - `gateway`: answered by the gateway itself (transport-level actions).
 */
export type ActionOwner = 'session' | 'history' | 'media' | 'gateway';

/** Where the action comes from: the OneBot v11 standard, go-cqhttp, NT-era servers, cqfleet. */
export type ActionOrigin = 'onebot11' | 'go-cqhttp' | 'nt' | 'cqfleet';

/**
 * `ready`: answered end to end (a test per owner asserts a handler exists for each);
 * `planned`: named and validated, answered with retcode 404 `API_NOT_IMPLEMENTED` for now.
 */
export type ActionStatus = 'ready' | 'planned';

export interface ActionSpec<
  O extends ActionOwner = ActionOwner,
  P extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  readonly owner: O;
  readonly origin: ActionOrigin;
  readonly status: ActionStatus;
  readonly params: P;
  readonly result: R;
  readonly summary: string;
}

/** Declares an action; `const` keeps the owner literal so handler maps can be typed by owner. */
export function action<const O extends ActionOwner, P extends z.ZodType, R extends z.ZodType>(
  spec: ActionSpec<O, P, R>,
): ActionSpec<O, P, R> {
  return spec;
}
