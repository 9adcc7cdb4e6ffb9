/**
 * Every media handler, one file per domain of the action table: the map is total — an action
 * the table gives media without a handler does not compile.
 */
import type { Handlers } from '@cqfleet/onebot';
import type { MediaContext } from '../types.js';
import { fileHandlers } from './file.js';

export type MediaHandlers = Handlers<'media', MediaContext>;

export const mediaHandlers: MediaHandlers = { ...fileHandlers };
