/**
 * OneBot send-side segments → the elements the QQ side takes (reference §4.3, seed CQ codes).
 *
 * - Each segment type has its checks; a segment that fails them (unknown type, bad id, a reply
 *   to an unknown message, a group-only segment in a private chat, ...) is sent as its literal
 *   CQ code, or dropped with `ignoreInvalidCqcode` (go-cqhttp `ignore-invalid-cqcode`).
 * - Only one `reply`, moved to the front; a reply by `id` must be a message history knows, in
 *   the same chat.
 * - `poke` and `gift` are not messages: a message containing one is turned into the pokes and
 *   gifts it names (the QQ side's `poke` and `send_gift`: the group sees the gift as a gray tip),
 *   and the send answers `message_id: 0` (go-cqhttp).
 */
import {
  type MessageEvent,
  normalizeSegments,
  type Segment,
  stringifySegment,
  text,
} from '@cqfleet/onebot';
import type { ActionContext } from '../actions/context.js';
import { isUnreadable, type SendKind, uploadMedia } from './media.js';

export type Target = { group_id: number } | { user_id: number; temp_group?: number };

export type Outgoing =
  | { kind: 'message'; elements: Segment[] }
  | { kind: 'actions'; pokes: number[]; gifts: Array<{ qq: number; id: number }> };

class Invalid extends Error {}

const isInt = (v: string | undefined) => v !== undefined && /^-?\d+$/.test(v.trim());
const need = (cond: unknown, why: string): void => {
  if (!cond) throw new Invalid(why);
};

const GROUP_ONLY = new Set(['anonymous', 'gift', 'tts']);
const MEDIA = new Set(['image', 'record', 'video', 'cardimage']);
const PASS_THROUGH = new Set([
  'text',
  'rps',
  'dice',
  'shake',
  'forward',
  'file',
  'mface',
  'markdown',
]);

function check(seg: Segment, inGroup: boolean): Segment {
  const d = seg.data;
  if (GROUP_ONLY.has(seg.type)) need(inGroup, `${seg.type} works only in groups`);
  switch (seg.type) {
    case 'face':
      need(isInt(d.id), 'face needs a numeric id');
      return seg;
    case 'image':
    case 'record':
    case 'video':
    case 'cardimage':
      need(d.file || d.url, `${seg.type} needs a file`);
      return seg;
    case 'at': {
      const qq = (d.qq ?? d.target ?? '').trim();
      need(qq === 'all' || isInt(qq), 'at needs qq (a number or all)');
      return { type: 'at', data: { qq, ...(d.name ? { name: d.name } : {}) } };
    }
    case 'anonymous':
      return seg;
    case 'share':
      need(d.url, 'share needs a url');
      return seg;
    case 'contact':
      need(
        (d.type === 'qq' || d.type === 'group') && isInt(d.id),
        'contact needs type qq|group and an id',
      );
      return seg;
    case 'location':
      need(d.lat && d.lon, 'location needs lat and lon');
      return seg;
    case 'music':
      if (d.type === 'custom')
        need(d.url && (d.audio || d.voice) && d.title, 'custom music needs url, audio and title');
      else
        need(
          ['qq', '163', 'xm', 'kugou', 'migu', 'kuwo'].includes(d.type ?? '') && d.id,
          'music needs type and id',
        );
      return seg;
    case 'xml':
    case 'json':
      need(d.data, `${seg.type} needs data`);
      return seg;
    case 'tts':
      need(d.text, 'tts needs text');
      return seg;
    default:
      need(PASS_THROUGH.has(seg.type), `${seg.type || '(empty)'} cannot be sent`);
      return seg;
  }
}

async function replyElement(ctx: ActionContext, seg: Segment, target: Target): Promise<Segment> {
  const d = seg.data;
  if (d.id !== undefined && d.id !== '') {
    need(isInt(d.id), 'reply id must be a number');
    let m: MessageEvent;
    try {
      m = await ctx.history.find(ctx.account.uin, Number(d.id), 'MESSAGE_NOT_FOUND');
    } catch {
      throw new Invalid(`reply to unknown message ${d.id}`);
    }
    const sameChat =
      'group_id' in target
        ? m.message_type === 'group' && m.group_id === target.group_id
        : m.message_type === 'private';
    need(sameChat, 'a reply must quote a message of the same chat');
    return {
      type: 'reply',
      data: {
        seq: String(m.message_seq),
        qq: String(m.user_id),
        time: String(m.time),
        text: m.raw_message,
      },
    };
  }
  need(isInt(d.qq ?? d.user_id) && d.text !== undefined, 'a custom reply needs qq and text');
  return {
    type: 'reply',
    data: {
      seq: d.seq ?? '0',
      qq: d.qq ?? d.user_id ?? '0',
      time: d.time ?? '0',
      text: d.text ?? '',
    },
  };
}

/** Uploads what a media segment names; an unreadable `file` falls back to `url` (go-cqhttp). */
async function mediaElement(ctx: ActionContext, seg: Segment): Promise<Segment> {
  const { url, cache, c, ...data } = seg.data;
  const kind: SendKind = seg.type === 'cardimage' ? 'image' : (seg.type as SendKind);
  const options = { cache, threads: c };
  const upload = (file: string, k = kind) =>
    uploadMedia(ctx, k, file, options).then(
      u => u.name,
      (err: unknown) => {
        throw isUnreadable(err) ? new Invalid(err.wording) : err;
      },
    );
  const file = data.file || url!;
  const name = await upload(file).catch((err: unknown) => {
    if (err instanceof Invalid && url && url !== file) return upload(url);
    throw err;
  });
  const out: Record<string, string> = { ...data, file: name };
  if (seg.type === 'video' && data.cover) out.cover = await upload(data.cover, 'cover');
  return { type: seg.type, data: out };
}

/** Media in forward nodes, uploaded like a message's; an unreadable one is treated as invalid. */
export async function uploadNodeMedia(
  ctx: ActionContext,
  segments: readonly Segment[],
): Promise<Segment[]> {
  const out = await Promise.all(
    segments.map(seg =>
      MEDIA.has(seg.type) && (seg.data.file || seg.data.url)
        ? mediaElement(ctx, seg).catch((err: unknown) => {
            if (!(err instanceof Invalid)) throw err;
            return ctx.options.ignoreInvalidCqcode ? undefined : text(stringifySegment(seg));
          })
        : Promise.resolve(seg),
    ),
  );
  return out.filter(s => s !== undefined);
}

export async function prepareOutgoing(
  ctx: ActionContext,
  segments: readonly Segment[],
  target: Target,
): Promise<Outgoing> {
  const inGroup = 'group_id' in target;
  const pokes: number[] = [];
  const gifts: Array<{ qq: number; id: number }> = [];
  let reply: Segment | undefined;
  // Elements in order; media are uploaded concurrently. Each is settled at once, so none can
  // reject unobserved whichever way this function leaves.
  const pending: Array<Promise<PromiseSettledResult<Segment | undefined>>> = [];
  const add = (p: Promise<Segment | undefined>) =>
    pending.push(
      p.then(
        value => ({ status: 'fulfilled', value }),
        (reason: unknown) => ({ status: 'rejected', reason }),
      ),
    );
  const invalid = (seg: Segment) =>
    ctx.options.ignoreInvalidCqcode ? undefined : text(stringifySegment(seg));
  const orInvalid = (seg: Segment) => (err: unknown) => {
    if (err instanceof Invalid) return invalid(seg);
    throw err;
  };
  for (const seg of segments) {
    try {
      if (seg.type === 'poke') {
        const qq =
          seg.data.qq ?? seg.data.id ?? ('user_id' in target ? String(target.user_id) : '');
        need(isInt(qq), 'poke needs qq');
        pokes.push(Number(qq));
      } else if (seg.type === 'gift') {
        need(inGroup, 'gift works only in groups');
        const id = Number(seg.data.id);
        need(
          isInt(seg.data.qq) && Number.isInteger(id) && id >= 0 && id <= 13,
          'gift needs qq and an id from 0 to 13',
        );
        gifts.push({ qq: Number(seg.data.qq), id });
      } else if (seg.type === 'reply') {
        // Only one reply, and it goes first.
        if (!reply) reply = await replyElement(ctx, seg, target);
      } else {
        const checked = check(seg, inGroup);
        add(
          MEDIA.has(checked.type)
            ? mediaElement(ctx, checked).catch(orInvalid(seg))
            : Promise.resolve(checked),
        );
      }
    } catch (err) {
      add(Promise.resolve(orInvalid(seg)(err)));
    }
  }
  if (pokes.length > 0 || gifts.length > 0) return { kind: 'actions', pokes, gifts };
  const settled = await Promise.all(pending);
  const elements: Segment[] = [];
  for (const r of settled) {
    // A refused medium (too large, too many frames, a cover that is not JPEG) fails the send.
    if (r.status === 'rejected') throw r.reason;
    if (r.value) elements.push(r.value);
  }
  const merged = normalizeSegments(elements);
  return { kind: 'message', elements: reply ? [reply, ...merged] : merged };
}
