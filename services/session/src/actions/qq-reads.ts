/**
 * The QQ-side reads history asks for (@cqfleet/contracts qq-reads.ts): a forward message's
 * nodes and a stretch of a group's history, normalised exactly as received messages are, so
 * what history stores from them cannot be told from what came through the event stream.
 */
import type { QQReadName, QQReads } from '@cqfleet/contracts';
import { groupMessageEvent } from '../events/normalize.js';
import { incomingSegments } from '../segments/incoming.js';
import type { ActionContext } from './context.js';

type QQReadHandlers = {
  [K in QQReadName]: (
    args: QQReads[K]['args'],
    ctx: ActionContext,
  ) => Promise<QQReads[K]['result']>;
};

export const qqReadHandlers: QQReadHandlers = {
  forward: async ({ resid }, ctx) =>
    (await ctx.account.driver.call('get_forward', { resid })).map(n => ({
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
    return (await ctx.account.driver.call('get_group_messages', args)).map(m =>
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
