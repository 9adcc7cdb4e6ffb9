/**
 * What one message may hold, stated once, and the total checks that hold a message to it.
 *
 * Why these numbers. QQ refuses far smaller messages than these, so a go-cqhttp user's real
 * messages pass with room to spare; what they stop is one tenant's message costing every
 * account in a group (and every tenant's shared media queue) without bound:
 * - go-cqhttp (MiraiGo) refuses a message over 5000 estimated characters (a text rune counts
 *   1, an `at` its display name, so at most ~2500 segments) or with more than 50 images, and a
 *   forward package of more than 200 nodes (reference §4.3). `segments` (5000) is twice the most
 *   a message QQ takes can have; `textBytes` (64 KiB) is 13 times 5000 ASCII runes and 3 times
 *   5000 four-byte ones; `media` (100) twice QQ's 50 images.
 * - go-cqhttp turns a message with a `poke` or `gift` into that one action; cqfleet performs each
 *   one it names, at most `actions` (10) per message: each reaches every member of the group.
 * - Forward: `forwardNodes` (200) per node list is QQ's own cap; nesting deeper than
 *   `forwardDepth` (8) or more than `forwardTotalNodes` (1000, five full levels) in all is
 *   refused, and the whole forward holds at most `forwardMedia` (400, two per node) media,
 *   `forwardSegments` (20 000) segments and `forwardTextBytes` (1 MiB) of text; each custom
 *   node's content is also a message under the limits above.
 *
 * Text bytes are the UTF-8 bytes of every data value (text, card JSON/XML, parameters) except
 * the sources of media segments (`file`, `url`, `cover` of image/record/video/cardimage): a
 * `base64://` image is bounded by the request size and the media workers' own limits.
 *
 * Refusals use go-cqhttp's envelope for the same refusal: `SEND_MSG_API_ERROR` for a message
 * QQ would not take, `EMPTY_NODES` for a forward package that cannot be built, each with a
 * wording that names the limit.
 */
import type { ErrorTag } from './errors.js';
import { toSegments } from './message.js';
import type { InputSegment, MessageInput, Segment } from './segment.js';
import { valueToString } from './segment.js';

export interface MessageLimit {
  readonly max: number;
  readonly tag: ErrorTag;
  /** The refusal's wording; `{max}` is replaced by the limit. */
  readonly wording: string;
}

const msg = (max: number, wording: string): MessageLimit => ({
  max,
  tag: 'SEND_MSG_API_ERROR',
  wording,
});
const fwd = (max: number, wording: string): MessageLimit => ({ max, tag: 'EMPTY_NODES', wording });

export const MESSAGE_LIMITS = {
  segments: msg(5000, '消息段不能超过 {max} 个'),
  textBytes: msg(64 * 1024, '消息文本不能超过 {max} 字节'),
  media: msg(100, '一条消息的图片、语音、视频不能超过 {max} 个'),
  actions: msg(10, '一条消息的戳一戳与礼物不能超过 {max} 个'),
  forwardNodes: fwd(200, '转发消息每层节点不能超过 {max} 个'),
  forwardTotalNodes: fwd(1000, '转发消息节点总数不能超过 {max} 个'),
  forwardDepth: fwd(8, '转发消息嵌套不能超过 {max} 层'),
  forwardMedia: fwd(400, '转发消息的图片、语音、视频不能超过 {max} 个'),
  forwardSegments: fwd(20_000, '转发消息的消息段不能超过 {max} 个'),
  forwardTextBytes: fwd(1024 * 1024, '转发消息文本不能超过 {max} 字节'),
} as const satisfies Record<string, MessageLimit>;

export type MessageLimits = { readonly [K in keyof typeof MESSAGE_LIMITS]: MessageLimit };

export interface MessageRefusal {
  readonly tag: ErrorTag;
  readonly wording: string;
}

/** Segments each of which is a media job. */
export const MEDIA_SEGMENTS: ReadonlySet<string> = new Set([
  'image',
  'record',
  'video',
  'cardimage',
]);
/** Segments each of which is a QQ-side action of its own instead of part of a message. */
export const ACTION_SEGMENTS: ReadonlySet<string> = new Set(['poke', 'gift']);
const MEDIA_SOURCES: ReadonlySet<string> = new Set(['file', 'url', 'cover']);

const refuse = (limit: MessageLimit): MessageRefusal => ({
  tag: limit.tag,
  wording: limit.wording.replace('{max}', String(limit.max)),
});

/**
 * UTF-8 bytes of `s`, counted no further than `cap` (a longer string's count is only known to
 * exceed it): UTF-8 takes at least a byte per UTF-16 unit, at most three (four per pair).
 */
function utf8Bytes(s: string, cap: number): number {
  if (s.length > cap) return s.length;
  let n = 0;
  for (let i = 0; i < s.length && n <= cap; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Running counts of one message (or one forward); the first limit crossed is kept. */
class Tally {
  segments = 0;
  textBytes = 0;
  media = 0;
  actions = 0;

  constructor(
    private readonly limits: {
      segments: MessageLimit;
      textBytes: MessageLimit;
      media: MessageLimit;
      actions?: MessageLimit;
    },
  ) {}

  /** Counts one segment; a refusal when it crosses a limit. Never throws. */
  add(seg: unknown): MessageRefusal | undefined {
    if (typeof seg !== 'object' || seg === null) return undefined;
    const { type, data } = seg as InputSegment;
    const l = this.limits;
    if (++this.segments > l.segments.max) return refuse(l.segments);
    const media = MEDIA_SEGMENTS.has(type);
    if (media && ++this.media > l.media.max) return refuse(l.media);
    if (l.actions && ACTION_SEGMENTS.has(type) && ++this.actions > l.actions.max)
      return refuse(l.actions);
    if (typeof data !== 'object' || data === null) return undefined;
    for (const key in data) {
      if (media && MEDIA_SOURCES.has(key)) continue;
      const v = data[key];
      if (v === undefined || v === null) continue;
      const left = l.textBytes.max - this.textBytes;
      this.textBytes += utf8Bytes(typeof v === 'string' ? v : valueToString(v), left);
      if (this.textBytes > l.textBytes.max) return refuse(l.textBytes);
    }
    return undefined;
  }
}

/**
 * Checks a message (already segments: a CQ string parsed once, an array as the client sent
 * it) against {@link MESSAGE_LIMITS}. Total: any input gives a refusal or `undefined`. O(n) in
 * the message's size, and it stops at the first limit crossed.
 */
export function checkMessage(
  segments: readonly unknown[],
  limits: MessageLimits = MESSAGE_LIMITS,
): MessageRefusal | undefined {
  if (!Array.isArray(segments)) return undefined;
  const tally = new Tally(limits);
  for (const seg of segments as unknown[]) {
    const refusal = tally.add(seg);
    if (refusal) return refusal;
  }
  return undefined;
}

export type ForwardCheck =
  | {
      readonly ok: true;
      /** Each custom node's content as segments (parsed here once), by node. */
      readonly contents: ReadonlyMap<InputSegment, Segment[]>;
    }
  | { readonly ok: false; readonly refusal: MessageRefusal };

const isNode = (s: unknown): s is InputSegment =>
  typeof s === 'object' && s !== null && (s as InputSegment).type === 'node';

/**
 * Checks a forward message's node list (`send_*_forward_msg` `messages`) against
 * {@link MESSAGE_LIMITS}: nodes per list, in all and nesting depth; with `parseContent`, also
 * each custom node's content (parsed with `toSegments`, handed back in `contents` so the caller
 * does not parse it again) as a message, and the forward's totals. Without it only the shape is
 * checked, parsing nothing (the gateway's check; the session parses). A node's content that
 * holds `node` segments is a nested forward, as the session builds it. Total, O(n).
 */
export function checkForward(
  nodes: readonly unknown[],
  options: { parseContent: boolean },
  limits: MessageLimits = MESSAGE_LIMITS,
): ForwardCheck {
  const contents = new Map<InputSegment, Segment[]>();
  const whole = new Tally({
    segments: limits.forwardSegments,
    textBytes: limits.forwardTextBytes,
    media: limits.forwardMedia,
  });
  let total = 0;
  const walk = (list: readonly unknown[], depth: number): MessageRefusal | undefined => {
    if (depth > limits.forwardDepth.max) return refuse(limits.forwardDepth);
    if (list.length > limits.forwardNodes.max) return refuse(limits.forwardNodes);
    for (const node of list) {
      if (!isNode(node)) continue;
      if (++total > limits.forwardTotalNodes.max) return refuse(limits.forwardTotalNodes);
      const content = node.data?.content;
      if (content === undefined || content === null) continue;
      if (Array.isArray(content) && content.some(isNode)) {
        const refusal = walk(content, depth + 1);
        if (refusal) return refusal;
        continue;
      }
      if (!options.parseContent) continue;
      const segments = toSegments(content as MessageInput);
      contents.set(node, segments);
      const own = new Tally(limits);
      for (const seg of segments) {
        const refusal = own.add(seg) ?? whole.add(seg);
        if (refusal) return refusal;
      }
    }
    return undefined;
  };
  const refusal = Array.isArray(nodes) ? walk(nodes, 1) : undefined;
  return refusal ? { ok: false, refusal } : { ok: true, contents };
}
