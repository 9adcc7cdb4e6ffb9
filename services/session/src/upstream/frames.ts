/**
 * The border with an upstream OneBot implementation: every text frame it sends is parsed here,
 * by a total function, into an event, a reply, or a refusal with its reason. Nothing an
 * upstream sends can throw past this point (the frame `null`, `[]`, `42`, a message that is an
 * object, an id that is an array …); what cqfleet reads of an event is typed:
 *
 * - every event: `post_type` one of OneBot's (POST_TYPES; any other is refused), `time` a
 *   number when present, and the ids cqfleet routes and stores by (`user_id`, `group_id`,
 *   `message_id`, `message_seq`, `real_id`, `target_id`, `operator_id`, `guild_id`…) safe
 *   integers when present — a decimal string is read as its number (some implementations send
 *   ids as strings);
 * - message events: `message_type` `group` or `private`, `user_id` and `message_id` (and a
 *   group message `group_id`), a `message` that is a CQ string or an array of `{type, data}`
 *   segments, `raw_message` a string when present, `sender` an object when present.
 *
 * A frame nested more than MAX_JSON_DEPTH levels, or holding more than MAX_JSON_VALUES values,
 * is refused before it is parsed.
 *
 * What an upstream says of itself at login (`get_login_info`, `get_version_info`) is read here
 * too, by total functions: a field missing or of the wrong type is its default, and its text is
 * cut to MAX_UPSTREAM_TEXT_BYTES.
 *
 * Everything else passes as the upstream sent it (NapCat's and Lagrange's own fields and
 * notice types). A reply is any object without `post_type`; smoothing.ts reads it.
 */
import { describeJsonShape, jsonShapeProblem } from '@cqfleet/runtime';
import { z } from 'zod';
import type { UpstreamReply } from './smoothing.js';
import { clipText, isObject, MAX_UPSTREAM_TEXT_BYTES, textOf, upstreamId } from './values.js';

// Where they were first used: media-names.ts and the tests import them from here.
export { clipText, MAX_UPSTREAM_TEXT_BYTES };

export type EventFrame = Record<string, unknown> & { post_type: string };

export type ParsedFrame =
  | { kind: 'event'; frame: EventFrame }
  | { kind: 'reply'; echo: string | undefined; reply: UpstreamReply }
  | {
      kind: 'refused';
      reason:
        'not_json' | 'not_object' | 'too_large' | 'too_deep' | 'bad_event' | 'unknown_post_type';
      detail: string;
    };

/**
 * The post types an event may have: OneBot v11's four and go-cqhttp's `message_sent` (the
 * account's own messages), which is all NapCat, LLOneBot and Lagrange send. The post type
 * becomes the event's NATS subject (`<ns>.events.<uin>.<post_type>`) and a metric label: any
 * other word would be a new subject — past the stream's per-subject bound — and one with a
 * space or a dot cannot be published at all, holding every later event of the account.
 */
export const POST_TYPES: ReadonlySet<string> = new Set([
  'message',
  'message_sent',
  'notice',
  'request',
  'meta_event',
]);

const ID_FIELDS = [
  'self_id',
  'user_id',
  'group_id',
  'message_id',
  'message_seq',
  'real_id',
  'target_id',
  'operator_id',
  'peer_id',
  'guild_id',
  'channel_id',
  'temp_source',
] as const;

const base = z.looseObject({
  post_type: z.string().min(1).max(64),
  time: z.number().optional(),
  ...Object.fromEntries(ID_FIELDS.map(f => [f, upstreamId.optional()])),
});

const segment = z.looseObject({
  type: z.string().min(1).max(64),
  data: z.record(z.string(), z.unknown()).nullish(),
});

const messageEvent = z.looseObject({
  message_type: z.enum(['group', 'private']),
  message: z.union([z.string(), z.array(segment).max(10_000)]),
  raw_message: z.string().optional(),
  sender: z.looseObject({}).optional(),
});

/** Parses one text frame of an upstream (at most `maxBytes` long). Never throws. */
export function parseUpstreamFrame(raw: string, maxBytes: number): ParsedFrame {
  if (raw.length > maxBytes || Buffer.byteLength(raw, 'utf8') > maxBytes)
    return { kind: 'refused', reason: 'too_large', detail: `frame over ${maxBytes} bytes` };
  // Parsed, it would pass; published, JSON.stringify would overflow the stack; or millions
  // of values would take a GiB and seconds to parse (json-depth.ts).
  const shape = jsonShapeProblem(raw);
  if (shape)
    return {
      kind: 'refused',
      reason: shape === 'too_deep' ? 'too_deep' : 'too_large',
      detail: describeJsonShape(shape),
    };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { kind: 'refused', reason: 'not_json', detail: 'not JSON' };
  }
  if (!isObject(value))
    return { kind: 'refused', reason: 'not_object', detail: `a JSON ${kindOf(value)}` };
  const object = value;
  if (!('post_type' in object)) {
    const echo = typeof object.echo === 'string' ? object.echo : undefined;
    return { kind: 'reply', echo, reply: object };
  }
  return parseUpstreamEvent(object);
}

/**
 * An event an upstream reported, or a message it answered with (a history page, `get_msg`):
 * typed as described above, or refused. Never throws.
 */
export function parseUpstreamEvent(
  value: unknown,
): Extract<ParsedFrame, { kind: 'event' | 'refused' }> {
  if (!isObject(value))
    return { kind: 'refused', reason: 'not_object', detail: `a JSON ${kindOf(value)}` };
  const object = value;
  const event = base.safeParse(object);
  if (!event.success) return badEvent(event.error);
  const postType = event.data.post_type;
  if (!POST_TYPES.has(postType))
    return {
      kind: 'refused',
      reason: 'unknown_post_type',
      detail: `post_type ${JSON.stringify(postType)}`,
    };
  if (postType === 'message' || postType === 'message_sent') {
    const message = messageEvent.safeParse(object);
    if (!message.success) return badEvent(message.error);
    if (message.data.message_type === 'group' && event.data.group_id === undefined)
      return { kind: 'refused', reason: 'bad_event', detail: 'group message without group_id' };
    // Every OneBot implementation sends both; without them a message can be neither stored,
    // answered nor recalled.
    for (const f of ['user_id', 'message_id'] as const)
      if (event.data[f] === undefined)
        return { kind: 'refused', reason: 'bad_event', detail: `message without ${f}` };
  }
  return { kind: 'event', frame: event.data as EventFrame };
}

/** What `get_login_info` answered; `user_id` undefined when it named no account. */
export interface LoginInfo {
  user_id: number | undefined;
  nickname: string;
}

/**
 * Reads a `get_login_info` answer (any value). Never throws. Its reply was held to
 * smoothing.ts's shape first, which reads the nickname the same way (values.ts `textOf`).
 */
export function parseLoginInfo(data: unknown): LoginInfo {
  const o = isObject(data) ? data : {};
  const userId = upstreamId.safeParse(o.user_id);
  return { user_id: userId.success ? userId.data : undefined, nickname: textOf(o.nickname) };
}

/** Reads a `get_version_info` answer (any value). Never throws. */
export function parseVersionInfo(data: unknown): { app_name: string; app_full_name: string } {
  const o = isObject(data) ? data : {};
  return { app_name: textOf(o.app_name), app_full_name: textOf(o.app_full_name) };
}

function badEvent(error: z.ZodError): Extract<ParsedFrame, { kind: 'refused' }> {
  const issue = error.issues[0];
  return {
    kind: 'refused',
    reason: 'bad_event',
    detail: issue ? `${issue.path.join('.') || 'event'}: ${issue.message}` : 'malformed event',
  };
}

function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}
