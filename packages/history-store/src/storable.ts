/**
 * What a message event must hold before the store takes it. The stream's events come from the
 * sessions, which shape them, but their contents began outside: the simulator's frames and,
 * for proxied accounts, whatever an upstream implementation (NapCat, Lagrange, LLOneBot) sent.
 * The store does not rely on the session having filled every field. An event that passes
 * encodes (codec.ts) and gives the scripts valid arguments: integer ids, seq and time, a
 * sender object, segments with object data, and the peer a private chat is keyed by. One that
 * fails is not stored, and must not be retried: a write that cannot succeed would hold every
 * later batch behind it (services/history's consumer skips and counts it).
 *
 * A hand-written total function rather than a schema: history runs it on every message event
 * of the cluster, and it reads a dozen fields.
 */

type Fields = Record<string, unknown>;

const isObject = (v: unknown): v is Fields =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Safe integers only: what Lua's doubles and msgpack carry exactly. */
const INTEGER_FIELDS = ['time', 'self_id', 'message_id', 'message_seq', 'user_id'] as const;

/**
 * Why `event` cannot be stored (one line, for the log), or undefined when it can. Total: never
 * throws, whatever it is given.
 */
export function unstorable(event: unknown): string | undefined {
  if (!isObject(event)) return 'not an object';
  if (event.post_type !== 'message' && event.post_type !== 'message_sent')
    return 'post_type: not a message';
  for (const f of INTEGER_FIELDS)
    if (!Number.isSafeInteger(event[f])) return `${f}: not a safe integer`;
  if (!isObject(event.sender)) return 'sender: not an object';
  const message = event.message;
  if (!Array.isArray(message)) return 'message: not an array of segments';
  for (const segment of message as unknown[])
    if (!isObject(segment) || typeof segment.type !== 'string' || !isObject(segment.data))
      return 'message: a segment is not {type, data}';
  if (event.message_type === 'group')
    return Number.isSafeInteger(event.group_id) ? undefined : 'group_id: not a safe integer';
  if (event.message_type !== 'private') return 'message_type: neither group nor private';
  if (event.target_id !== undefined && !Number.isSafeInteger(event.target_id))
    return 'target_id: not a safe integer';
  // A message the account sent itself is kept under its peer: the target.
  if (event.user_id === event.self_id && event.target_id === undefined)
    return 'target_id: missing from a private message the account sent';
  return undefined;
}
