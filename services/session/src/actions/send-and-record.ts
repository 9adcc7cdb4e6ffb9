/** What the send paths of handlers/message.ts and handlers/message-nt.ts share. */
import { sentEventId } from '@cqfleet/contracts';
import type { SentMessage } from '@cqfleet/sim-client';
import { groupMessageEvent, privateMessageEvent } from '../events/normalize.js';
import { incomingSegments } from '../segments/incoming.js';
import type { Target } from '../segments/outgoing.js';
import type { ActionContext } from './context.js';

/**
 * Runs a send of the QQ side's and records the message as a `message_sent` event (history
 * stores it; endpoints with self-reporting deliver it), resolving once the event is in the
 * stream. The account's member record in a group is read first: it goes into the event.
 */
export async function sendAndRecord(
  ctx: ActionContext,
  target: Target,
  send: () => Promise<SentMessage>,
): Promise<{ message_id: number }> {
  const { account, qq } = ctx;
  const options = { extraReplyData: ctx.options.extraReplyData };
  if ('group_id' in target) {
    const self = await account.selfMember(target.group_id);
    const sent = await send();
    const event = groupMessageEvent({
      selfId: account.uin,
      postType: 'message_sent',
      groupId: target.group_id,
      seq: sent.seq,
      time: sent.time,
      sender: self,
      elements: incomingSegments(sent.elements, target.group_id, options),
    });
    account.stats.messageSent++;
    await account.publish(sentEventId(account.uin, 'g', target.group_id, sent.seq), event);
    return { message_id: event.message_id };
  }
  const self = await qq.self();
  const sent = await send();
  const event = privateMessageEvent({
    selfId: account.uin,
    postType: 'message_sent',
    seq: sent.seq,
    time: sent.time,
    sender: { user_id: self.user_id, nickname: self.nickname, sex: self.sex, age: self.age },
    targetId: target.user_id,
    tempSource: target.temp_group,
    elements: incomingSegments(sent.elements, undefined, options),
  });
  account.stats.messageSent++;
  await account.publish(sentEventId(account.uin, 'p', target.user_id, sent.seq), event);
  return { message_id: event.message_id };
}
