/**
 * How large a message the network takes. The QQ side refuses what a real QQ client could never
 * send, so that nobody (an account through the driver, a person through the control API) can
 * make the simulator keep megabytes per message: a message is kept in its chat's store (1,000 a
 * chat), referenced from the event log of every account in the chat (10,000 each), and pushed
 * to each of them.
 *
 * The limits sit a little above what QQ clients meet:
 * - text: 16 KiB of UTF-8 over all text segments. QQ's input box stops near 4,500 characters
 *   and the protocol libraries refuse past 5,000 (mirai: "Allow up to 50 images or 5000
 *   chars"); 5,000 CJK characters are 15,000 bytes, so any message a client can type fits.
 * - segments: 200 a message, of which 50 images (mirai's and MiraiGo's image limit).
 * - everything else a segment carries (cards, ids, unknown types' data), keys included: 64 KiB
 *   a message. An ark or XML card is a few KiB. The base64 payload of inline media is not
 *   counted: it is stored as a content name (the bytes go to the byte-bounded media store).
 * - forwards: 200 nodes a package (as before; QQ's client packs at most 100), 1,000 over the
 *   whole package with its nested ones, 8 levels deep (what history reads back), each node a
 *   message within the limits above and 2 MiB of content in all (100 messages of 5,000 CJK
 *   characters are 1.5 MB).
 *
 * A send past them fails as QQ answers a refused send, `SEND_MSG_API_ERROR` (forwards:
 * `EMPTY_NODES`, go-cqhttp's "cannot be packed"), before anything is stored or delivered.
 */
import { type Segment } from '@cqfleet/onebot';
import { SimError, type SimForwardNodeInput } from '@cqfleet/sim-client';

export const MAX_TEXT_BYTES = 16 * 1024;
export const MAX_SEGMENTS = 200;
export const MAX_IMAGES = 50;
export const MAX_DATA_BYTES = 64 * 1024;
export const MAX_FORWARD_NODES = 200;
export const MAX_FORWARD_TOTAL_NODES = 1_000;
export const MAX_FORWARD_DEPTH = 8;
export const MAX_FORWARD_BYTES = 2 * 1024 * 1024;

/** A node's display name (QQ nicknames are at most 36 bytes; cards 60). */
const MAX_NICKNAME_BYTES = 256;

const INLINE_MEDIA = new Set(['image', 'record', 'video']);

/** UTF-8 bytes of a segment value as the network keeps it (a string, else its JSON). */
function valueBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'object') return Buffer.byteLength(String(value));
  return Buffer.byteLength(JSON.stringify(value) ?? '');
}

function tooLarge(why: string): SimError {
  return new SimError('SEND_MSG_API_ERROR', `send message failed: message too large (${why})`);
}

/**
 * Refuses a message past the limits above; `elements` is the message as it was sent. Answers
 * the bytes it counted (text and data).
 */
export function checkMessageSize(elements: readonly Segment[]): number {
  if (elements.length > MAX_SEGMENTS)
    throw tooLarge(`${elements.length} segments, at most ${MAX_SEGMENTS}`);
  let text = 0;
  let data = 0;
  let images = 0;
  for (const el of elements) {
    if (el.type === 'image' && ++images > MAX_IMAGES)
      throw tooLarge(`more than ${MAX_IMAGES} images`);
    data += Buffer.byteLength(String(el.type));
    for (const [key, value] of Object.entries(el.data ?? {})) {
      // Inline media becomes a content name; its bytes are kept (bounded) elsewhere.
      if (INLINE_MEDIA.has(el.type) && typeof value === 'string' && value.startsWith('base64://'))
        continue;
      const bytes = valueBytes(value);
      if (el.type === 'text' && key === 'text') text += bytes;
      else data += Buffer.byteLength(key) + bytes;
      // Checked as it grows: a 50 MB value is refused after one measure, not after a copy.
      if (text > MAX_TEXT_BYTES) throw tooLarge(`text over ${MAX_TEXT_BYTES} bytes`);
      if (data > MAX_DATA_BYTES) throw tooLarge(`segment data over ${MAX_DATA_BYTES} bytes`);
    }
  }
  return text + data;
}

/**
 * Refuses a forward package past the limits above (every node's content included), before any
 * of it is stored. Answers the bytes of its content.
 */
export function checkForward(nodes: readonly SimForwardNodeInput[]): number {
  let total = 0;
  let bytes = 0;
  const walk = (level: readonly SimForwardNodeInput[], depth: number): void => {
    if (level.length === 0 || level.length > MAX_FORWARD_NODES)
      throw new SimError('EMPTY_NODES', `a forward message needs 1 to ${MAX_FORWARD_NODES} nodes`);
    if (depth > MAX_FORWARD_DEPTH)
      throw new SimError('EMPTY_NODES', `forward messages nest at most ${MAX_FORWARD_DEPTH} deep`);
    total += level.length;
    if (total > MAX_FORWARD_TOTAL_NODES)
      throw new SimError(
        'EMPTY_NODES',
        `a forward message holds at most ${MAX_FORWARD_TOTAL_NODES} nodes, nested ones included`,
      );
    for (const n of level) {
      const nickname = Buffer.byteLength(n.nickname ?? '');
      if (nickname > MAX_NICKNAME_BYTES)
        throw new SimError(
          'EMPTY_NODES',
          `a node's nickname is at most ${MAX_NICKNAME_BYTES} bytes`,
        );
      bytes += nickname;
      if (n.nodes?.length) walk(n.nodes, depth + 1);
      else bytes += checkMessageSize(n.elements ?? []);
      if (bytes > MAX_FORWARD_BYTES)
        throw new SimError(
          'EMPTY_NODES',
          `a forward message holds at most ${MAX_FORWARD_BYTES} bytes`,
        );
    }
  };
  walk(nodes, 1);
  return bytes;
}
