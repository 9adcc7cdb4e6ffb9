/** What every session action handler receives besides its parameters. */
import type { Handlers, MessageFormat } from '@cqfleet/onebot';
import type { AccountRuntime } from '../account.js';

export interface ActionContext {
  account: AccountRuntime;
  /** Format of `message` fields in results, as the calling endpoint wants them. */
  format: MessageFormat;
}

/** The session's handlers, typed by the action table (a subset while actions are planned). */
export type SessionHandlers = Partial<Handlers<'session', ActionContext>>;
