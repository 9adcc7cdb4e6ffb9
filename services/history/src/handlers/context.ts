/** What history's handlers receive besides their parameters. */
import type { MessageFormat } from '@cqfleet/onebot';

export interface HistoryContext {
  selfId: number;
  format: MessageFormat;
}
