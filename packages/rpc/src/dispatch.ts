/**
 * The owner side of an action request, shared by every service that answers actions: the
 * action name checked against the table, the parameters decoded (the gateway already parsed
 * them with the table's schema), the result format, and the handler picked.
 */
import { type ActionName, isActionName, type MessageFormat, OneBotError } from '@cqfleet/onebot';
import { type ActionRequest, MessageFormat as WireFormat } from '@cqfleet/proto';

export interface DecodedRequest {
  name: ActionName;
  params: unknown;
  format: MessageFormat;
}

export function decodeRequest(req: ActionRequest): DecodedRequest {
  if (!isActionName(req.action)) throw new OneBotError('API_NOT_FOUND');
  return {
    name: req.action,
    params:
      req.paramsJson.length > 0
        ? (JSON.parse(Buffer.from(req.paramsJson).toString('utf8')) as unknown)
        : {},
    format: formatOf(req),
  };
}

/** The message format the caller's endpoint wants results in. */
export function formatOf(req: ActionRequest): MessageFormat {
  return req.messageFormat === WireFormat.MESSAGE_FORMAT_ARRAY ? 'array' : 'string';
}

/** The handler for `name`, or API_NOT_IMPLEMENTED (the action is in the table but not here). */
export function handlerFor<Ctx>(
  handlers: object,
  name: ActionName,
): (params: unknown, ctx: Ctx) => Promise<unknown> {
  const handler = (
    handlers as Record<string, ((params: unknown, ctx: Ctx) => Promise<unknown>) | undefined>
  )[name];
  if (!handler) throw new OneBotError('API_NOT_IMPLEMENTED');
  return handler;
}
