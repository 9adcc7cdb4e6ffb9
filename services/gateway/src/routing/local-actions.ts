/** Actions the gateway answers itself (owner `gateway` in the action table). */
import { type Handlers, supportedActions } from '@cqfleet/onebot';

export const gatewayHandlers: Partial<Handlers<'gateway', undefined>> = {
  get_supported_actions: async () => supportedActions(),
  can_send_image: async () => ({ yes: true }),
  can_send_record: async () => ({ yes: true }),
};
