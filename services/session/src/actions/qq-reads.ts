/**
 * The QQ-side reads history asks for (@cqfleet/contracts qq-reads.ts, `QQSide.Read` over
 * gRPC): a forward message's nodes and a stretch of a group's history, normalised exactly as
 * received messages are, so what history stores from them cannot be told from what came
 * through the event stream. An account behind an upstream implementation reads through it
 * (upstream/reads.ts). The lease rule is the actions' (executor.ts): a worker reads only for an
 * account it holds with the fence history found.
 */
import type { QQReadName, QQReads } from '@cqfleet/contracts';
import { OneBotError } from '@cqfleet/onebot';
import { Refused, type ServeRead } from '@cqfleet/rpc';
import type { AccountRuntime } from '../account.js';
import type { LeaseManager } from '../ownership/lease-manager.js';
import { upstreamReads } from '../upstream/reads.js';
import { groupMessageEvent } from '../events/normalize.js';
import { incomingSegments } from '../segments/incoming.js';
import type { ActionContext } from './context.js';

/** How long a read waits for an account that is logging in (just taken over). */
const LOGIN_WAIT_MS = 3_000;

/** The signal of a read (`ActionContext.signal`), which never fires. */
const NO_DEADLINE = new AbortController().signal;

type QQReadHandlers = {
  [K in QQReadName]: (
    args: QQReads[K]['args'],
    ctx: ActionContext,
  ) => Promise<QQReads[K]['result']>;
};

export const qqReadHandlers: QQReadHandlers = {
  forward: async ({ resid }, ctx) =>
    (await ctx.qq.call('get_forward', { resid })).map(n => ({
      user_id: n.user_id,
      nickname: n.nickname,
      time: n.time,
      ...(n.group_id !== undefined ? { group_id: n.group_id } : {}),
      message: incomingSegments(n.elements, n.group_id, ctx.options),
    })),
  // Everything a native account receives or sends is published, so history has it already.
  message: async () => null,
  group_messages: async (args, ctx) => {
    const self = ctx.account.uin;
    return (await ctx.qq.call('get_group_messages', args)).map(m =>
      groupMessageEvent({
        selfId: self,
        postType: m.sender.user_id === self ? 'message_sent' : 'message',
        groupId: m.group_id,
        seq: m.seq,
        time: m.time,
        sender: m.sender,
        anonymous: m.anonymous,
        elements: incomingSegments(m.elements, m.group_id, ctx.options),
      }),
    );
  },
};

/** Serves history's reads for the accounts this worker holds. */
export function readServer(
  leases: Pick<LeaseManager, 'holds'>,
  accounts: ReadonlyMap<number, AccountRuntime>,
  services: Omit<ActionContext, 'account' | 'qq' | 'format' | 'signal'>,
): ServeRead {
  return async <K extends QQReadName>(
    selfId: number,
    fence: number,
    name: K,
    args: QQReads[K]['args'],
  ): Promise<QQReads[K]['result']> => {
    const account = accounts.get(selfId);
    if (!account || !leases.holds(selfId, fence))
      throw new Refused(new OneBotError('OWNERSHIP_MOVED', `本节点不持有账号 ${selfId}`));
    // Counted with the account's actions (SESSION_MAX_IN_FLIGHT_PER_ACCOUNT).
    const end = account.admit('read');
    try {
      return await readFor(account, selfId, name, args);
    } finally {
      end();
    }
  };

  async function readFor<K extends QQReadName>(
    account: AccountRuntime,
    selfId: number,
    name: K,
    args: QQReads[K]['args'],
  ): Promise<QQReads[K]['result']> {
    if (!(await account.onlineWithin(LOGIN_WAIT_MS))) throw new OneBotError('ACCOUNT_OFFLINE');
    const driver = account.driver;
    const read =
      driver.kind === 'proxied'
        ? () => upstreamReads[name](args, driver, selfId)
        : () =>
            qqReadHandlers[name](args, {
              account,
              qq: driver,
              format: 'array',
              // A read is one look-up, bounded by qqSideService's deadline: nothing to stop.
              signal: NO_DEADLINE,
              ...services,
            });
    return account.track(read);
  }
}
