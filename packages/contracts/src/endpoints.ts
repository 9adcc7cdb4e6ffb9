/**
 * Outbound OneBot endpoints — HTTP POST receivers and reverse WebSocket servers — as the gateway
 * configuration (templates for many accounts) and account records (one account's own) describe
 * them, plus the settings every endpoint, inbound or outbound, may override.
 *
 * A URL may contain `{self_id}`, replaced by the account's number.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const RateLimit = z.object({
  enabled: z.boolean().default(false),
  /** Tokens per second (go-cqhttp `frequency`). */
  frequency: z.number().positive().default(1),
  /** Burst size; 0 disables limiting, as in go-cqhttp. */
  bucket: z.number().int().min(0).default(1),
});
export type RateLimit = z.infer<typeof RateLimit>;

/** Settings of one endpoint; anything absent falls back to the gateway-wide default. */
export const EndpointSettings = z.object({
  message_format: z.enum(['string', 'array']).optional(),
  report_self_message: z.boolean().optional(),
  /** Path of an event filter file (go-cqhttp syntax). */
  filter: z.string().optional(),
  rate_limit: RateLimit.optional(),
});
export type EndpointSettings = z.infer<typeof EndpointSettings>;

/** Which accounts a template or token covers: all of them, or a list. */
export const AccountSelector = z
  .union([z.literal('*'), z.array(z.number().int().positive())])
  .default('*');
export type AccountSelector = z.infer<typeof AccountSelector>;

/**
 * A delay of an endpoint's, read at most `max`. Node runs a timer whose delay is over 2^31-1 ms
 * after 1 ms, so an unbounded retry interval became a loop posting to the receiver as fast as
 * it answered, and an unbounded timeout aborted every post at once. A larger value (a record
 * stored before the bound, a typo) is read as `max` rather than refused, so the account keeps
 * working.
 */
const delayMs = (fallback: number, max: number) =>
  z
    .number()
    .int()
    .positive()
    .default(fallback)
    .transform(ms => Math.min(ms, max));

/** Ten minutes: longer than any receiver should take to answer one event. */
export const MAX_ENDPOINT_TIMEOUT_MS = 10 * 60_000;
/** An hour between retries or reconnects: a receiver away longer is caught up from the stream. */
export const MAX_ENDPOINT_INTERVAL_MS = 3_600_000;
/** Endpoints of each kind one account record may carry (each is a delivery with its own feed). */
export const MAX_ACCOUNT_ENDPOINTS = 16;
/** Names an outbound endpoint's `actions` may list, and the longest name. */
export const MAX_ENDPOINT_ACTIONS = 512;
export const MAX_ACTION_NAME_LENGTH = 64;

/**
 * The only actions this endpoint's peer may call — the quick operations of an HTTP POST
 * receiver's reply (each part as the action it performs; a reply is also `send_msg`), the API
 * calls of a reverse WebSocket server. Absent: what the account tokens naming the account allow
 * (services/gateway README, "What outbound endpoints may call"). Left out of the parsed
 * definition when absent, so an endpoint's id (`endpointId`) is what it was before the field.
 */
const EndpointActions = z
  .array(z.string().min(1).max(MAX_ACTION_NAME_LENGTH))
  .max(MAX_ENDPOINT_ACTIONS)
  .optional();

export const HttpPostEndpoint = EndpointSettings.extend({
  url: z.string().min(1),
  /** HMAC-SHA1 key of the `X-Signature` header; none when empty. */
  secret: z.string().default(''),
  /** @default 5000 ms, at most 10 minutes */
  timeout_ms: delayMs(5_000, MAX_ENDPOINT_TIMEOUT_MS),
  /**
   * First retry delay; retries back off exponentially up to max_retry_interval_ms.
   * @default 1500 ms, at most an hour
   */
  retry_interval_ms: delayMs(1_500, MAX_ENDPOINT_INTERVAL_MS),
  /** @default 30000 ms, at most an hour */
  max_retry_interval_ms: delayMs(30_000, MAX_ENDPOINT_INTERVAL_MS),
  actions: EndpointActions,
});
export type HttpPostEndpoint = z.infer<typeof HttpPostEndpoint>;

export const ReverseWsEndpoint = EndpointSettings.extend({
  /** One connection for actions and events (role Universal)… */
  universal: z.string().optional(),
  /** …or separate connections for actions (role API) and events (role Event). */
  api: z.string().optional(),
  event: z.string().optional(),
  access_token: z.string().default(''),
  /** Scheme word of the Authorization header (go-cqhttp sends `Token`, OneBot says `Bearer`). */
  authorization_scheme: z.string().default('Bearer'),
  /** First reconnect delay; reconnects back off exponentially up to 30 s. @default 3000 ms */
  reconnect_interval_ms: delayMs(3_000, MAX_ENDPOINT_INTERVAL_MS),
  actions: EndpointActions,
}).refine(e => e.universal || e.api || e.event, {
  message: 'a reverse WebSocket needs universal, api or event',
});
export type ReverseWsEndpoint = z.infer<typeof ReverseWsEndpoint>;

/** Endpoints an account record may carry for itself. */
export const AccountEndpoints = z.object({
  http_post: z.array(HttpPostEndpoint).max(MAX_ACCOUNT_ENDPOINTS).default([]),
  ws_reverse: z.array(ReverseWsEndpoint).max(MAX_ACCOUNT_ENDPOINTS).default([]),
});
export type AccountEndpoints = z.infer<typeof AccountEndpoints>;

/** A stable id for an endpoint definition (the same on every gateway replica). */
export function endpointId(kind: 'http_post' | 'ws_reverse', definition: unknown): string {
  return createHash('sha1')
    .update(`${kind}:${JSON.stringify(definition)}`)
    .digest('hex')
    .slice(0, 12);
}

export function selects(selector: AccountSelector, uin: number): boolean {
  return selector === '*' || selector.includes(uin);
}

export function expandUrl(template: string, selfId: number): string {
  return template.replaceAll('{self_id}', String(selfId));
}
