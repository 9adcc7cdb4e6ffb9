/** Sending messages (reference §1.4 "Messages"). */
import { sentEventId } from '@cqfleet/contracts';
import { fail, isEmptyMessage, type Segment } from '@cqfleet/onebot';
import { groupMessageEvent, privateMessageEvent } from '../../events/normalize.js';
import type { ActionContext, SessionHandlers } from '../context.js';

/**
 * Sends to a group and records the message as a `message_sent` event (history stores it;
 * endpoints with self-reporting on deliver it). Resolves once the event is in the stream, so a
 * `get_msg` on the returned id finds it.
 */
export async function sendGroup(
  ctx: ActionContext,
  groupId: number,
  elements: Segment[],
): Promise<{ message_id: number }> {
  if (isEmptyMessage(elements)) fail('EMPTY_MSG_ERROR');
  const { account } = ctx;
  const self = await account.selfMember(groupId);
  const sent = await account.driver.sendGroupMessage(groupId, elements);
  const event = groupMessageEvent({
    selfId: account.uin,
    postType: 'message_sent',
    groupId,
    seq: sent.seq,
    time: sent.time,
    sender: self,
    elements,
  });
  account.stats.messageSent++;
  await account.publish(sentEventId(account.uin, 'g', groupId, sent.seq), event);
  return { message_id: event.message_id };
}

export async function sendPrivate(
  ctx: ActionContext,
  userId: number,
  elements: Segment[],
): Promise<{ message_id: number }> {
  if (isEmptyMessage(elements)) fail('EMPTY_MSG_ERROR');
  const { account } = ctx;
  const self = await account.driver.self();
  const sent = await account.driver.sendPrivateMessage(userId, elements);
  const event = privateMessageEvent({
    selfId: account.uin,
    postType: 'message_sent',
    seq: sent.seq,
    time: sent.time,
    sender: { user_id: self.user_id, nickname: self.nickname, sex: self.sex, age: self.age },
    targetId: userId,
    elements,
  });
  account.stats.messageSent++;
  await account.publish(sentEventId(account.uin, 'p', userId, sent.seq), event);
  return { message_id: event.message_id };
}

export const messageHandlers = {
  send_group_msg: (p, ctx) => sendGroup(ctx, p.group_id, p.message),
  send_private_msg: (p, ctx) => sendPrivate(ctx, p.user_id, p.message),
  /**
   * go-cqhttp's dispatch: message_type first, then user_id, then group_id. Where go-cqhttp
   * answers a bare `{}` for "no target", cqfleet answers a clear INVALID_PARAMS failure.
   */
  send_msg: (p, ctx) => {
    if (p.message_type === 'group') return sendGroup(ctx, p.group_id, p.message);
    if (p.message_type === 'private') return sendPrivate(ctx, p.user_id, p.message);
    if (p.user_id !== 0) return sendPrivate(ctx, p.user_id, p.message);
    if (p.group_id !== 0) return sendGroup(ctx, p.group_id, p.message);
    return fail('INVALID_PARAMS', 'send_msg 需要 message_type、user_id 或 group_id');
  },
} satisfies SessionHandlers;
