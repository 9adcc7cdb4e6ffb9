/**
 * Quick operations (reference §3.3, OneBot v11 §1.6), reached through `.handle_quick_operation`
 * and, with issue 4, HTTP POST replies. go-cqhttp's semantics: `at_sender` defaults to false,
 * there is no automatic quote, kick and ban are skipped for anonymous senders, and the result
 * is always ok (failures of the inner calls are only logged).
 *
 * An operation is first planned as the actions it performs (reply → send_group_msg /
 * send_private_msg, delete → delete_msg, kick → set_group_kick, ban → set_group_ban, approve →
 * set_friend_add_request / set_group_add_request), so a token's allow-list can be checked
 * against every part before any part runs (issue 15): a quick operation does nothing its
 * caller could not do by calling the actions directly. An HTTP POST reply is held the same way
 * to its endpoint's grant (`handleQuickOperation`).
 */
import {
  type ActionResponse,
  type MessageFormat,
  type MessageInput,
  stringifyCQ,
} from '@cqfleet/onebot';
import type { Logger } from '@cqfleet/runtime';
import { allowsAction, type Grant } from '../auth/tokens.js';
import { countRefusal } from '../refusals.js';

export interface ActionCaller {
  call(
    action: string,
    params: unknown,
    opts: { selfId: number; format: MessageFormat },
  ): Promise<ActionResponse>;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** go-cqhttp reads quick-operation booleans leniently: true/"true"/"yes"/"1". */
function flag(v: unknown): boolean {
  return (
    v === true ||
    v === 1 ||
    (typeof v === 'string' && ['true', 'yes', '1'].includes(v.toLowerCase()))
  );
}

function withAt(reply: unknown, userId: number): MessageInput {
  const at = { type: 'at', data: { qq: String(userId) } };
  if (typeof reply === 'string') return stringifyCQ([at]) + reply;
  if (Array.isArray(reply)) return [at, ...(reply as Obj[])] as MessageInput;
  if (isObj(reply)) return [at, reply] as MessageInput;
  return [at];
}

/** One part of a quick operation: the action it runs and the names that permit it. */
export interface QuickStep {
  action: string;
  params: Obj;
  /** A token's allow-list permits the step when it names any of these. */
  permits: readonly string[];
}

/** The actions `operation` performs on the event `context`, in go-cqhttp's order. */
export function planQuickOperation(context: unknown, operation: unknown): QuickStep[] {
  if (!isObj(context) || !isObj(operation)) return [];
  const steps: QuickStep[] = [];
  const step = (action: string, params: Obj, also: string[] = []) =>
    steps.push({ action, params, permits: [action, ...also] });
  const anonymous = isObj(context.anonymous);
  if (context.post_type === 'message') {
    const isGroup = context.message_type === 'group';
    if (operation.reply !== undefined && operation.reply !== null) {
      const userId = Number(isObj(context.sender) ? context.sender.user_id : context.user_id);
      const message =
        isGroup && !anonymous && flag(operation.at_sender)
          ? withAt(operation.reply, userId)
          : operation.reply;
      const autoEscape = flag(operation.auto_escape);
      // A reply is a send: a token allowed send_msg may reply.
      if (isGroup)
        step('send_group_msg', { group_id: context.group_id, message, auto_escape: autoEscape }, [
          'send_msg',
        ]);
      else
        step(
          'send_private_msg',
          {
            user_id: context.user_id,
            message,
            auto_escape: autoEscape,
            ...(context.sub_type === 'group'
              ? { group_id: context.temp_source ?? context.group_id }
              : {}),
          },
          ['send_msg'],
        );
    }
    if (isGroup) {
      if (flag(operation.delete)) step('delete_msg', { message_id: context.message_id });
      if (flag(operation.kick) && !anonymous)
        step('set_group_kick', {
          group_id: context.group_id,
          user_id: context.user_id,
          reject_add_request: flag(operation.reject_add_request),
        });
      if (flag(operation.ban) && !anonymous)
        step('set_group_ban', {
          group_id: context.group_id,
          user_id: context.user_id,
          duration: operation.ban_duration ?? 1800,
        });
    }
  } else if (context.post_type === 'request' && operation.approve !== undefined) {
    const approve = flag(operation.approve);
    if (context.request_type === 'friend')
      step('set_friend_add_request', {
        flag: context.flag,
        approve,
        remark: operation.remark ?? '',
      });
    else if (context.request_type === 'group')
      step('set_group_add_request', {
        flag: context.flag,
        sub_type: context.sub_type,
        approve,
        reason: operation.reason ?? '',
      });
  }
  return steps;
}

/** Runs the planned steps in order; a failed step is logged and the next one still runs. */
export async function runQuickOperation(
  caller: ActionCaller,
  opts: { selfId: number; format: MessageFormat },
  steps: readonly QuickStep[],
  log: Logger,
): Promise<void> {
  for (const { action, params } of steps) {
    const r = await caller.call(action, params, opts);
    if (r.status === 'failed') log.info({ action, result: r }, 'quick operation step failed');
  }
}

/**
 * Plans and runs the quick operation of an HTTP POST receiver's reply, with the grant of its
 * endpoint (auth/tokens.ts `outboundGrant`): a step the grant does not permit is not run,
 * logged and counted (`quick_step_refused`); the others still run. Unlike
 * `.handle_quick_operation`, nobody is there to answer ACCOUNT_FORBIDDEN to, and what the
 * receiver may do (a reply) should not be lost for what it may not.
 */
export async function handleQuickOperation(
  caller: ActionCaller,
  opts: { selfId: number; format: MessageFormat },
  grant: Grant,
  context: unknown,
  operation: unknown,
  log: Logger,
): Promise<void> {
  const steps = planQuickOperation(context, operation).filter(s => {
    if (s.permits.some(a => allowsAction(grant, a))) return true;
    countRefusal('quick_step_refused');
    log.info(
      { action: s.action, selfId: opts.selfId, grant: grant.name },
      'quick operation step not allowed for this endpoint; not run',
    );
    return false;
  });
  await runQuickOperation(caller, opts, steps, log);
}
