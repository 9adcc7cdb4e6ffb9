/**
 * Every session handler, one file per domain of the action table (packages/onebot/src/actions):
 * the map is total — an action the table gives the session without a handler does not compile.
 */
import type { Handlers } from '@cqfleet/onebot';
import type { ActionContext } from '../actions/context.js';
import { accountHandlers } from './account.js';
import { fileHandlers } from './file.js';
import { groupHandlers } from './group.js';
import { guildHandlers } from './guild.js';
import { messageHandlers } from './message.js';
import { systemHandlers } from './system.js';

export const sessionHandlers: Handlers<'session', ActionContext> = {
  ...messageHandlers,
  ...groupHandlers,
  ...accountHandlers,
  ...fileHandlers,
  ...guildHandlers,
  ...systemHandlers,
};
