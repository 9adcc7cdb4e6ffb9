/** Every session handler, grouped by domain. */
import type { SessionHandlers } from '../context.js';
import { accountHandlers } from './account.js';
import { fileHandlers } from './file.js';
import { forwardHandlers } from './forward.js';
import { groupHandlers } from './group.js';
import { guildHandlers } from './guild.js';
import { mediaHandlers } from './media.js';
import { messageHandlers } from './message.js';
import { systemHandlers } from './system.js';

export const sessionHandlers: SessionHandlers = {
  ...messageHandlers,
  ...forwardHandlers,
  ...groupHandlers,
  ...accountHandlers,
  ...fileHandlers,
  ...guildHandlers,
  ...mediaHandlers,
  ...systemHandlers,
};
