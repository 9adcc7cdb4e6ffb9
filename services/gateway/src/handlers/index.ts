/**
 * The actions the gateway answers itself, one file per domain of the action table: the map is
 * total — an action the table gives the gateway without a handler does not compile.
 */
import type { Handlers } from '@cqfleet/onebot';
import type { GatewayContext } from './context.js';
import { systemHandlers } from './system.js';

export type { GatewayContext, GatewayServices } from './context.js';

export const gatewayHandlers: Handlers<'gateway', GatewayContext> = { ...systemHandlers };
