/**
 * History's QQ-side reads (@cqfleet/contracts qq-reads.ts) for an account behind an upstream
 * OneBot implementation: the upstream's `get_forward_msg` and `get_group_msg_history`, their
 * answers brought into the form history stores (array segments, go-cqhttp's node shape).
 */
import type { ForwardNodeRecord, QQReadName, QQReads } from '@cqfleet/contracts';
import { type GroupMessageEvent, toSegments } from '@cqfleet/onebot';
import type { OneBotUpstream } from '../driver/driver.js';
import { fromUpstream } from './events.js';
import { parseUpstreamEvent } from './frames.js';

interface ForwardNode {
  sender?: { user_id?: unknown; nickname?: unknown };
  time?: unknown;
  group_id?: unknown;
  content?: unknown;
  message?: unknown;
}

type UpstreamReads = {
  [K in QQReadName]: (
    args: QQReads[K]['args'],
    upstream: OneBotUpstream,
    uin: number,
  ) => Promise<QQReads[K]['result']>;
};

export const upstreamReads: UpstreamReads = {
  forward: async ({ resid }, upstream) => {
    // smoothReply has turned a spec `message` of node segments into `messages` already.
    const data = (await upstream.action('get_forward_msg', { id: resid, message_id: resid })) as {
      messages?: unknown;
    } | null;
    const nodes = Array.isArray(data?.messages) ? (data.messages as unknown[]) : [];
    return nodes.filter(isNode).map((n): ForwardNodeRecord => ({
      user_id: Number(n.sender?.user_id ?? 0),
      nickname: String(n.sender?.nickname ?? ''),
      time: Number(n.time ?? 0),
      ...(n.group_id !== undefined ? { group_id: Number(n.group_id) } : {}),
      message: toSegments((n.content ?? n.message ?? []) as never),
    }));
  },
  // A message history lacks: the upstream's get_msg (go-cqhttp's reduced shape, or NapCat's
  // whole event) made into the event it would have reported. Unknown there too: null.
  message: async ({ message_id }, upstream, uin) => {
    const data = (await upstream.action('get_msg', { message_id }).catch(() => null)) as Record<
      string,
      unknown
    > | null;
    if (!data || Number(data.message_id) !== message_id) return null;
    const sender = (data.sender ?? {}) as { user_id?: unknown };
    const userId = Number(data.user_id ?? sender.user_id ?? 0);
    const group = data.message_type === 'group' || data.group_id !== undefined;
    const parsed = parseUpstreamEvent({
      post_type: userId === uin ? 'message_sent' : 'message',
      message_type: group ? 'group' : 'private',
      sub_type: group ? 'normal' : 'friend',
      user_id: userId,
      font: 0,
      ...data,
    });
    if (parsed.kind !== 'event') return null;
    const e = fromUpstream(uin, parsed.frame, JSON.stringify(parsed.frame))?.event;
    return e?.post_type === 'message' || e?.post_type === 'message_sent' ? e : null;
  },
  group_messages: async ({ group_id, seq, count }, upstream, uin) => {
    const data = (await upstream.action('get_group_msg_history', {
      group_id,
      count,
      ...(seq > 0 ? { message_seq: seq } : {}),
    })) as { messages?: unknown } | null;
    const out: GroupMessageEvent[] = [];
    for (const m of Array.isArray(data?.messages) ? data.messages : []) {
      const parsed = parseUpstreamEvent(m);
      if (parsed.kind !== 'event') continue;
      const e = fromUpstream(uin, parsed.frame, JSON.stringify(m))?.event;
      if (e?.post_type !== 'message' && e?.post_type !== 'message_sent') continue;
      // A page of another group than the one asked for is not this group's history.
      if (e.message_type === 'group' && e.group_id === group_id) out.push(e);
    }
    return out.sort((a, b) => a.message_seq - b.message_seq);
  },
};

function isNode(value: unknown): value is ForwardNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
