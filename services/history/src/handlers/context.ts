/** What history's handlers receive besides their parameters. */
import type { MessageFormat } from '@cqfleet/onebot';

export interface HistoryContext {
  selfId: number;
  format: MessageFormat;
  /**
   * Fires when the action's deadline passed and the caller was answered TIMEOUT: a handler
   * that loops over reads (get_forward_msg) stops.
   */
  signal?: AbortSignal;
}
