/** Every session handler, grouped by domain. */
import type { SessionHandlers } from '../context.js';
import { infoHandlers } from './info.js';
import { messageHandlers } from './message.js';
import { systemHandlers } from './system.js';

export const sessionHandlers: SessionHandlers = {
  ...messageHandlers,
  ...infoHandlers,
  ...systemHandlers,
};
