/**
 * Sending, recalling and marking messages (reference §1.4 "Messages", §1.5, NT extensions).
 *
 * Forward messages (seed 合并转发 / 合并转发消息节点): send nodes by message id (re-sent with
 * their original sender, name and time), custom nodes (`name|nickname`, `uin|user_id`,
 * `content`, optional `time`), nested nodes (a `content` made of nodes) and any mix. Reading a
 * forward back (`get_forward_msg`) is history's, which asks this worker for the nodes
 * (actions/qq-reads.ts) when it has not stored them yet.
 *
 * Every message and forward is held to `@cqfleet/onebot`'s MESSAGE_LIMITS before anything
 * reaches the QQ side or the media queue (the gateway checks as it parses; this is the same
 * check on what arrives, so no caller can skip it), and the steps of a send (pokes, node
 * look-ups, node uploads) stop once the action's deadline has fired (`ctx.signal`).
 */
import { sentEventId } from '@cqfleet/contracts';
import {
  checkForward,
  checkMessage,
  fail,
  type InputSegment,
  isEmptyMessage,
  type MessageInput,
  messageId,
  type MessageRefusal,
  type Segment,
  toSegments,
  valueToString,
} from '@cqfleet/onebot';
import type { SimForwardNodeInput } from '@cqfleet/sim-client';
import type { ActionContext, SessionHandlers } from '../actions/context.js';
import { asFailure, chatOf, findMessage, seconds } from '../actions/helpers.js';
import { sendAndRecord } from '../actions/send-and-record.js';
import { groupMessageEvent, privateMessageEvent } from '../events/normalize.js';
import { incomingSegments } from '../segments/incoming.js';
import { prepareOutgoing, type Target, uploadNodeMedia } from '../segments/outgoing.js';
import { messageNtHandlers } from './message-nt.js';

/**
 * Sends to a chat and records the message as a `message_sent` event (history stores it;
 * endpoints with self-reporting deliver it). Resolves once the event is in the stream, so a
 * `get_msg` on the returned id finds it.
 */
export async function sendMessage(
  ctx: ActionContext,
  target: Target,
  segments: Segment[],
): Promise<{ message_id: number }> {
  const qq = ctx.qq;
  const refusal = checkMessage(segments);
  if (refusal) refuse(refusal);
  const out = await prepareOutgoing(ctx, segments, target);
  if (out.kind === 'actions') {
    for (const poked of out.pokes) {
      ctx.signal.throwIfAborted();
      await qq.call(
        'poke',
        'group_id' in target
          ? { user_id: poked, group_id: target.group_id }
          : { user_id: target.user_id },
      );
    }
    // prepareOutgoing takes gifts in groups only.
    if ('group_id' in target)
      for (const gift of out.gifts) {
        ctx.signal.throwIfAborted();
        await qq.call('send_gift', {
          group_id: target.group_id,
          user_id: gift.qq,
          gift_id: gift.id,
        });
      }
    return { message_id: 0 };
  }
  if (isEmptyMessage(out.elements)) fail('EMPTY_MSG_ERROR');
  return sendAndRecord(ctx, target, () =>
    'group_id' in target
      ? qq.call('send_group_msg', { group_id: target.group_id, elements: out.elements })
      : qq.call('send_private_msg', {
          user_id: target.user_id,
          elements: out.elements,
          ...(target.temp_group ? { group_id: target.temp_group } : {}),
        }),
  );
}

/** A message past a limit: go-cqhttp's envelope for it, the wording naming the limit. */
function refuse(refusal: MessageRefusal): never {
  return fail(refusal.tag, refusal.wording);
}

/** go-cqhttp's dispatch: message_type first, then user_id, then group_id. */
export function dispatchTarget(p: {
  message_type: string;
  user_id: number;
  group_id: number;
}): Target {
  if (p.message_type === 'group') return { group_id: p.group_id };
  if (p.message_type === 'private') return { user_id: p.user_id };
  if (p.user_id !== 0) return { user_id: p.user_id };
  if (p.group_id !== 0) return { group_id: p.group_id };
  // go-cqhttp answers a bare `{}` here; a clear failure helps more.
  return fail('INVALID_PARAMS', '需要 message_type、user_id 或 group_id');
}

const sends = {
  send_group_msg: (p, ctx) => sendMessage(ctx, { group_id: p.group_id }, p.message),
  /** With group_id this is a temporary session started from that group. */
  send_private_msg: (p, ctx) =>
    sendMessage(
      ctx,
      { user_id: p.user_id, ...(p.group_id ? { temp_group: p.group_id } : {}) },
      p.message,
    ),
  send_msg: (p, ctx) => sendMessage(ctx, dispatchTarget(p), p.message),
  delete_msg: async (p, ctx) => {
    const m = await findMessage(ctx, p.message_id, 'MESSAGE_NOT_FOUND');
    if (m.message_type === 'private' && m.user_id !== ctx.account.uin)
      fail('CANNOT_RECALL_FRIEND_MSG');
    await ctx.qq.call('recall', {
      ...chatOf(ctx, m),
      seq: m.message_seq,
      sender_id: m.user_id,
    });
    return null;
  },
  mark_msg_as_read: async (p, ctx) => {
    const m = await findMessage(ctx, p.message_id, 'MSG_NOT_FOUND');
    await ctx.qq.call('mark_read', { ...chatOf(ctx, m), seq: m.message_seq });
    return null;
  },
  set_essence_msg: (p, ctx) => setEssence(ctx, p.message_id, true),
  delete_essence_msg: (p, ctx) => setEssence(ctx, p.message_id, false),
  get_essence_msg_list: (p, ctx) =>
    asFailure('GET_ESSENCE_LIST_FOUND', async () =>
      (await ctx.qq.call('get_essence_list', { group_id: p.group_id })).map(e => ({
        sender_id: e.sender_id,
        sender_nick: e.sender_nick,
        sender_time: e.sender_time,
        operator_id: e.operator_id,
        operator_nick: e.operator_nick,
        operator_time: e.operator_time,
        message_id: messageId(p.group_id, e.seq),
      })),
    ),
} satisfies SessionHandlers;

async function setEssence(ctx: ActionContext, id: number, enable: boolean): Promise<null> {
  const m = await findMessage(ctx, id, 'MESSAGE_NOT_FOUND');
  if (m.message_type !== 'group') fail('MESSAGE_NOT_FOUND', '精华消息必须是群消息');
  await asFailure('SET_ESSENCE_MSG_ERROR', () =>
    ctx.qq.call('set_essence', { group_id: m.group_id, seq: m.message_seq, enable }),
  );
  return null;
}

const isNode = (s: unknown): s is InputSegment =>
  typeof s === 'object' && s !== null && (s as InputSegment).type === 'node';

/**
 * Builds the network's nodes; nodes that cannot be built are skipped, as go-cqhttp does.
 * `contents` holds each custom node's content already parsed (by checkForward).
 */
async function buildNodes(
  ctx: ActionContext,
  input: InputSegment[],
  contents: ReadonlyMap<InputSegment, Segment[]>,
): Promise<SimForwardNodeInput[]> {
  const out: SimForwardNodeInput[] = [];
  for (const node of input.filter(isNode)) {
    ctx.signal.throwIfAborted();
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
      out.push({ ...base, nodes: await buildNodes(ctx, content as InputSegment[], contents) });
    else out.push({ ...base, elements: contents.get(node) ?? toSegments(content as MessageInput) });
  }
  return out;
}

/**
 * How many nodes upload their media at once. go-cqhttp uploads every node's at the same time;
 * a few at a time keeps one forward from filling the media queue every tenant shares, and lets
 * a send whose deadline has fired stop between nodes.
 */
const NODE_UPLOADS_AT_ONCE = 8;

/** Uploads the media of every custom node, NODE_UPLOADS_AT_ONCE nodes at a time. */
async function uploadNodes(ctx: ActionContext, nodes: SimForwardNodeInput[]): Promise<void> {
  const queue: Array<SimForwardNodeInput & { elements: Segment[] }> = [];
  const walk = (list: SimForwardNodeInput[]) => {
    for (const node of list) {
      if (node.nodes) walk(node.nodes);
      else if (node.elements) queue.push(node as SimForwardNodeInput & { elements: Segment[] });
    }
  };
  walk(nodes);
  let next = 0;
  let failed = false;
  // Each lane takes the next node until none is left, the deadline fired or another lane failed.
  const lane = async () => {
    try {
      while (!failed && next < queue.length) {
        ctx.signal.throwIfAborted();
        const node = queue[next++]!;
        node.elements = await uploadNodeMedia(ctx, node.elements);
      }
    } catch (err) {
      failed = true;
      throw err;
    }
  };
  await Promise.all(Array.from({ length: Math.min(NODE_UPLOADS_AT_ONCE, queue.length) }, lane));
}

async function sendForward(ctx: ActionContext, target: Target, messages: InputSegment[]) {
  const { account, qq } = ctx;
  const checked = checkForward(messages, { parseContent: true });
  if (!checked.ok) refuse(checked.refusal);
  const nodes = await buildNodes(ctx, messages, checked.contents);
  await uploadNodes(ctx, nodes);
  ctx.signal.throwIfAborted();
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

const forwards = {
  send_group_forward_msg: (p, ctx) => sendForward(ctx, { group_id: p.group_id }, p.messages),
  send_private_forward_msg: (p, ctx) => sendForward(ctx, { user_id: p.user_id }, p.messages),
  send_forward_msg: (p, ctx) => sendForward(ctx, dispatchTarget(p), p.messages),
} satisfies SessionHandlers;

export const messageHandlers = {
  ...sends,
  ...forwards,
  ...messageNtHandlers,
} satisfies SessionHandlers;
