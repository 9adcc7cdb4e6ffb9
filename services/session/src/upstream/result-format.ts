/**
 * Messages inside an upstream's answers, in the caller's message format. cqfleet's own answers
 * follow the endpoint's `message_format` (string: CQ codes, array: segments); an upstream
 * answers in its own (NapCat: arrays, with `message_format: 'array'`), so a string-format
 * client would otherwise get arrays from `get_friend_msg_history` and the like.
 *
 * A "message" is an object with a `message` (a segment array or a CQ string) next to
 * `message_id`, `raw_message` or `sender`; forward nodes (`content` next to `sender`) are
 * message-like too. Everything else in the answer is left as it is.
 */
import { type MessageFormat, formatMessage, toSegments } from '@cqfleet/onebot';

/** Deep enough for `{messages: [{message}]}` and a forward node's nested messages. */
const MAX_DEPTH = 6;

type Obj = Record<string, unknown>;

const isMessage = (v: unknown): v is string | unknown[] =>
  typeof v === 'string' || Array.isArray(v);

export function inFormat(data: unknown, format: MessageFormat, depth = 0): unknown {
  if (depth > MAX_DEPTH || data === null || typeof data !== 'object') return data;
  if (Array.isArray(data)) return data.map(item => inFormat(item, format, depth + 1));
  const obj = data as Obj;
  const out: Obj = {};
  for (const [key, value] of Object.entries(obj)) out[key] = inFormat(value, format, depth + 1);
  const messageLike = 'message_id' in obj || 'raw_message' in obj || 'sender' in obj;
  if (!messageLike) return out;
  for (const key of ['message', 'content'] as const) {
    const value = obj[key];
    if (!isMessage(value) || (key === 'content' && !('sender' in obj))) continue;
    out[key] = formatMessage(toSegments(value as never), format);
    if ('message_format' in obj) out.message_format = format;
  }
  return out;
}
