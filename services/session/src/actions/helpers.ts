/** Small pieces several handler domains share. */
import { type ErrorTag, type MessageEvent, OneBotError } from '@cqfleet/onebot';
import type { OpName, Ops } from '@cqfleet/sim-client';
import type { ActionContext } from './context.js';

/** A stored message of this account, by id (history), or the failure `tag`. */
export function findMessage(
  ctx: ActionContext,
  messageId: number,
  tag: ErrorTag,
): Promise<MessageEvent> {
  return ctx.history.find(ctx.account.uin, messageId, tag);
}

/** The chat a stored message belongs to, as the QQ side addresses it. */
export function chatOf(
  ctx: ActionContext,
  m: MessageEvent,
): { group_id: number } | { user_id: number } {
  if (m.message_type === 'group') return { group_id: m.group_id };
  return { user_id: m.user_id === ctx.account.uin ? m.target_id : m.user_id };
}

const PASS_THROUGH = new Set(['ACCOUNT_OFFLINE', 'GROUP_NOT_FOUND', 'TIMEOUT']);

/**
 * Runs `fn`, reporting a failure with go-cqhttp's tag for this action instead (offline
 * accounts, unknown groups and timeouts keep their own tags).
 */
export async function asFailure<T>(tag: ErrorTag, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof OneBotError && (PASS_THROUGH.has(err.msg) || err.msg === tag)) throw err;
    throw new OneBotError(
      tag,
      err instanceof Error ? err.message.replace(/^[A-Z_]+: /, '') : undefined,
    );
  }
}

export const seconds = (): number => Math.floor(Date.now() / 1000);

/**
 * An action that is exactly one driver operation and answers `null` (most administration
 * actions); `args` maps the action's parameters to the operation's.
 */
export function driverOp<P, K extends Exclude<OpName, 'login'>>(
  op: K,
  args: (params: P) => Ops[K]['args'],
): (params: P, ctx: ActionContext) => Promise<null> {
  return async (params, ctx) => {
    await ctx.qq.call(op, args(params));
    return null;
  };
}
