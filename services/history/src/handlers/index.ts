/**
 * Every history handler, one file per domain of the action table: the map is total — an action
 * the table gives history without a handler does not compile.
 */
import type { Handlers } from '@cqfleet/onebot';
import type { Finder, Settle } from '../finder.js';
import type { QQBacked } from '../qq-backed.js';
import type { MessageStore } from '@cqfleet/history-store';
import type { HistoryContext } from './context.js';
import { messageHandlers } from './message.js';

export type { HistoryContext } from './context.js';

export type HistoryHandlers = Handlers<'history', HistoryContext>;

export function historyHandlers(
  store: MessageStore,
  find: Finder,
  qq: QQBacked,
  settle: Settle,
): HistoryHandlers {
  return { ...messageHandlers(store, find, qq, settle) };
}
