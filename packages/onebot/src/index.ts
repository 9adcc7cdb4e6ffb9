/**
 * @cqfleet/onebot — the OneBot v11 / go-cqhttp protocol as data. Pure code, no I/O.
 *
 * ```ts
 * import { resolveAction, parseParams, ok, toFailure, parseCQ, messageId } from '@cqfleet/onebot';
 *
 * const resolved = resolveAction('send_group_msg_async');      // { name, mode: 'async', spec }
 * const params = parseParams('send_group_msg', { group_id: '100100', message: 'hi[CQ:face,id=14]' });
 * // params.message is a segment array; params.group_id is 100100
 * messageId(100100, 42);                                       // int32 CRC32 of "100100-42"
 * ```
 */
export type { ActionOrigin, ActionOwner, ActionSpec, ActionStatus } from './action.js';
export { action } from './action.js';
export type {
  ActionMode,
  ActionName,
  ActionParams,
  ActionResult,
  ActionTable,
  HandlerResult,
  Handlers,
  OwnedActionName,
  ResolvedAction,
} from './action-table.js';
export {
  actions,
  actionsOwnedBy,
  getAction,
  isActionName,
  parseParams,
  resolveAction,
  supportedActions,
} from './action-table.js';
export {
  escapeText,
  escapeValue,
  parseCQ,
  stringifyCQ,
  stringifySegment,
  unescapeText,
  unescapeValue,
} from './cqcode.js';
export type { ActionResponse, AsyncResponse, FailedResponse, OkResponse } from './envelope.js';
export {
  asyncAccepted,
  failed,
  failedTag,
  ok,
  serialize,
  toFailure,
  withEcho,
} from './envelope.js';
export type { EventKey, EventSpec } from './event-table.js';
export { eventKey, events } from './event-table.js';
export type { ErrorSpec, ErrorTag } from './errors.js';
export { ERRORS, fail, isOneBotError, OneBotError } from './errors.js';
export type {
  Anonymous,
  EventBase,
  GroupMessageEvent,
  GroupSender,
  MessageEvent,
  MetaEvent,
  NoticeEvent,
  OneBotEvent,
  PostType,
  PrivateMessageEvent,
  PrivateSender,
  RequestEvent,
} from './events.js';
export {
  buildEvent,
  eventTypeKey,
  heartbeatEvent,
  isMessageEvent,
  lifecycleEvent,
} from './events.js';
export { formatMessage, isEmptyMessage, plainText, toCQString, toSegments } from './message.js';
export { crc32, messageCode, messageId, messageIdV2 } from './message-id.js';
export type {
  ForwardCheck,
  MessageLimit,
  MessageLimits,
  MessageRefusal,
} from './message-limits.js';
export {
  ACTION_SEGMENTS,
  checkForward,
  checkMessage,
  MEDIA_SEGMENTS,
  MESSAGE_LIMITS,
} from './message-limits.js';
export { URL_MAX_CHARS, WORD_SLICES_MAX_CHARS } from './actions/file.js';
export { SURFACE_END, SURFACE_START, surfaceTable, withSurfaceTable } from './surface.js';
export type { InputSegment, MessageFormat, MessageInput, Segment, SegmentType } from './segment.js';
export {
  isKnownSegmentType,
  normalizeSegments,
  SEGMENT_TYPES,
  text,
  toWireSegment,
  valueToString,
} from './segment.js';
