/**
 * @cqfleet/history-store — the message store in Redis: layout and writes (store.ts), records
 * (codec.ts), scripts (scripts.ts), pages of a chat (history-pages.ts), retention
 * (retention.ts). The history service is its only writer; the gateway reads `get_msg` from it
 * with a `MessageReader`, given the layout history published (layout.ts).
 *
 * ```ts
 * const layout = await readLayout(redis, ns);
 * const reader = layout && new MessageReader(redis, ns, layout.idSlots);
 * const m = await reader?.get(selfId, messageId);
 * ```
 */
export { decodeMessage, encodeMessage } from './codec.js';
export { getMsgShape } from './get-msg.js';
export type { StoreLayout } from './layout.js';
export { publishLayout, readLayout } from './layout.js';
export type { StoredMessage } from './reader.js';
export { unstorable } from './storable.js';
export { BUCKET, MessageReader } from './reader.js';
export { MAX_FORWARDS_PER_ACCOUNT, MAX_LOCATIONS_PER_ACCOUNT, MAX_SEQ_WINDOWS } from './scripts.js';
export type { StoreOptions, Trust } from './store.js';
export {
  HISTORY_PAGE,
  MAX_FORWARD_RECORD_BYTES,
  MAX_FRIEND_PAGE,
  MAX_GROUP_PAGE,
  MessageStore,
} from './store.js';
