/**
 * The one action table: every action of go-cqhttp (reference §1.4–1.5), the user's extended-API
 * document, and the NT-era extensions modern clients call, keyed by wire name.
 *
 * Everything else is derived from it: `get_supported_actions`, the routing of an action to its
 * owner, parameter validation, and the handler types each service implements.
 */
import type { z } from 'zod';
import type { ActionOwner, ActionSpec } from './action.js';
import { accountActions } from './actions/account.js';
import { fileActions } from './actions/file.js';
import { groupActions } from './actions/group.js';
import { guildActions } from './actions/guild.js';
import { messageActions } from './actions/message.js';
import { systemActions } from './actions/system.js';
import { ERRORS, type ErrorTag, OneBotError } from './errors.js';

export const actions = {
  ...messageActions,
  ...groupActions,
  ...accountActions,
  ...fileActions,
  ...systemActions,
  ...guildActions,
} as const;

export type ActionTable = typeof actions;
export type ActionName = keyof ActionTable;
export type ActionParams<N extends ActionName> = z.output<ActionTable[N]['params']>;
export type ActionResult<N extends ActionName> = z.output<ActionTable[N]['result']>;

/** Names of the actions a given service owns. */
export type OwnedActionName<O extends ActionOwner> = {
  [N in ActionName]: ActionTable[N]['owner'] extends O ? N : never;
}[ActionName];

/**
 * A result shape without the index signatures of loose objects: handlers must return every
 * field the table lists and may return more, and plain interfaces satisfy it.
 */
export type HandlerResult<T> = T extends readonly (infer U)[]
  ? HandlerResult<U>[]
  : T extends object
    ? { [K in keyof T as string extends K ? never : K]: HandlerResult<T[K]> }
    : T;

/**
 * What a service implements for the actions it owns: one async function per action, typed by
 * the table. A service declares `const handlers = {...} satisfies Partial<Handlers<'session', Ctx>>`.
 */
export type Handlers<O extends ActionOwner, Ctx> = {
  [N in OwnedActionName<O>]: (
    params: ActionParams<N>,
    ctx: Ctx,
  ) => Promise<HandlerResult<ActionResult<N>>>;
};

export function isActionName(name: string): name is ActionName {
  return Object.hasOwn(actions, name);
}

export function getAction(name: ActionName): ActionSpec {
  return actions[name] as ActionSpec;
}

/** Suffixes a client may append to any action name (reference §1.2, OneBot v11 §1.2). */
export type ActionMode = 'normal' | 'async' | 'rate_limited';

export interface ResolvedAction {
  name: ActionName;
  mode: ActionMode;
  spec: ActionSpec;
}

/**
 * Resolves a wire action name, stripping `_async` / `_rate_limited`. Unknown names give
 * `undefined`, which every transport answers with retcode 404 `API_NOT_FOUND`.
 */
export function resolveAction(wireName: string): ResolvedAction | undefined {
  let mode: ActionMode = 'normal';
  let name = wireName;
  if (!isActionName(name)) {
    if (name.endsWith('_async')) {
      mode = 'async';
      name = name.slice(0, -'_async'.length);
    } else if (name.endsWith('_rate_limited')) {
      mode = 'rate_limited';
      name = name.slice(0, -'_rate_limited'.length);
    }
  }
  if (!isActionName(name)) return undefined;
  return { name, mode, spec: getAction(name) };
}

/** Parses raw parameters with the action's schema; bad types become `INVALID_PARAMS`. */
export function parseParams<N extends ActionName>(name: N, raw: unknown): ActionParams<N> {
  const result = actions[name].params.safeParse(raw);
  if (result.success) return result.data as ActionParams<N>;
  const issue = result.error.issues[0];
  // A message limit's refusal (params.ts) keeps its own tag and wording.
  const tag =
    issue?.code === 'custom' ? (issue.params as { tag?: unknown } | undefined)?.tag : undefined;
  if (typeof tag === 'string' && Object.hasOwn(ERRORS, tag))
    throw new OneBotError(tag as ErrorTag, issue!.message);
  const field = issue?.path.join('.') || 'params';
  throw new OneBotError('INVALID_PARAMS', `参数 ${field} 无效: ${issue?.message ?? 'invalid'}`);
}

/** `get_supported_actions`: every action that is answered end to end, in table order. */
export function supportedActions(): string[] {
  return (Object.keys(actions) as ActionName[]).filter(n => actions[n].status === 'ready');
}

/** Names of the actions a service owns, optionally only those with a given status. */
export function actionsOwnedBy(owner: ActionOwner, status?: ActionSpec['status']): ActionName[] {
  return (Object.keys(actions) as ActionName[]).filter(
    n => actions[n].owner === owner && (status === undefined || actions[n].status === status),
  );
}
