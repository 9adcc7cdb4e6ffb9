/**
 * Forward messages (seed 合并转发 / 合并转发消息节点): send nodes by message id (re-sent with
 * their original sender, name and time), custom nodes (`name|nickname`, `uin|user_id`,
 * `content`, optional `time`), nested nodes (a `content` made of nodes) and any mix. Reading a
 * forward back (`get_forward_msg`) is history's, which asks this worker for the nodes
 * (actions/qq-reads.ts) when it has not stored them yet.
 */
import { sentEventId } from '@cqfleet/contracts';
import { type InputSegment, type MessageInput, toSegments, valueToString } from '@cqfleet/onebot';
import type { SimForwardNodeInput } from '@cqfleet/sim-client';
import { groupMessageEvent, privateMessageEvent } from '../../events/normalize.js';
import { incomingSegments } from '../../segments/incoming.js';
import { type Target, uploadNodeMedia } from '../../segments/outgoing.js';
import type { ActionContext, SessionHandlers } from '../context.js';
import { findMessage, seconds } from '../helpers.js';
import { dispatchTarget } from './message.js';

const isNode = (s: unknown): s is InputSegment =>
  typeof s === 'object' && s !== null && (s as InputSegment).type === 'node';

/** Builds the network's nodes; nodes that cannot be built are skipped, as go-cqhttp does. */
async function buildNodes(
  ctx: ActionContext,
  input: InputSegment[],
): Promise<SimForwardNodeInput[]> {
  const out: SimForwardNodeInput[] = [];
  for (const node of input.filter(isNode)) {
    const d = node.data ?? {};
    if (d.id !== undefined && d.id !== null && d.id !== '') {
      const m = await findMessage(ctx, Number(d.id), 'MSG_NOT_FOUND').catch(() => undefined);
      if (!m) continue;
      const sender = m.sender as { card?: string; nickname: string };
      out.push({
        user_id: m.user_id,
        nickname: sender.card || sender.nickname,
        time: m.time,
        elements: m.message,
      });
      continue;
    }
    const name = d.name ?? d.nickname;
    const uin = d.uin ?? d.user_id;
    const content = d.content;
    if (name === undefined || uin === undefined || content === undefined) continue;
    const time = Number(d.time ?? 0) || seconds();
    const base = { user_id: Number(valueToString(uin)), nickname: valueToString(name), time };
    if (Array.isArray(content) && content.some(isNode))
      out.push({ ...base, nodes: await buildNodes(ctx, content as InputSegment[]) });
    else out.push({ ...base, elements: toSegments(content as MessageInput) });
  }
  return out;
}

/** Uploads the media of every custom node, all at once (go-cqhttp uploads them concurrently). */
async function uploadNodes(ctx: ActionContext, nodes: SimForwardNodeInput[]): Promise<void> {
  const jobs: Array<Promise<void>> = [];
  const walk = (list: SimForwardNodeInput[]) => {
    for (const node of list) {
      if (node.nodes) walk(node.nodes);
      else if (node.elements)
        jobs.push(
          uploadNodeMedia(ctx, node.elements).then(elements => {
            node.elements = elements;
          }),
        );
    }
  };
  walk(nodes);
  await Promise.all(jobs);
}

async function sendForward(ctx: ActionContext, target: Target, messages: InputSegment[]) {
  const { account, qq } = ctx;
  const nodes = await buildNodes(ctx, messages);
  await uploadNodes(ctx, nodes);
  const chat = 'group_id' in target ? { group_id: target.group_id } : { user_id: target.user_id };
  const sent = await qq.call('send_forward', { ...chat, nodes });
  const options = { extraReplyData: ctx.options.extraReplyData };
  const event =
    'group_id' in target
      ? groupMessageEvent({
          selfId: account.uin,
          postType: 'message_sent',
          groupId: target.group_id,
          seq: sent.seq,
          time: sent.time,
          sender: await account.selfMember(target.group_id),
          elements: incomingSegments(sent.elements, target.group_id, options),
        })
      : privateMessageEvent({
          selfId: account.uin,
          postType: 'message_sent',
          seq: sent.seq,
          time: sent.time,
          sender: await qq.self(),
          targetId: target.user_id,
          elements: incomingSegments(sent.elements, undefined, options),
        });
  account.stats.messageSent++;
  const chatKey =
    'group_id' in target ? (['g', target.group_id] as const) : (['p', target.user_id] as const);
  await account.publish(sentEventId(account.uin, chatKey[0], chatKey[1], sent.seq), event);
  return { message_id: event.message_id, forward_id: sent.resid };
}

export const forwardHandlers = {
  send_group_forward_msg: (p, ctx) => sendForward(ctx, { group_id: p.group_id }, p.messages),
  send_private_forward_msg: (p, ctx) => sendForward(ctx, { user_id: p.user_id }, p.messages),
  send_forward_msg: (p, ctx) => sendForward(ctx, dispatchTarget(p), p.messages),
} satisfies SessionHandlers;
