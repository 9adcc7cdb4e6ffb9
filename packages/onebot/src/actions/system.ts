/** Status, versions and transport-level actions (reference §1.4 "system", §1.5, §3). */
import { z } from 'zod';
import { action } from '../action.js';
import { int, json, params, str } from '../params.js';
import * as s from './shapes.js';

const yes = z.looseObject({ yes: z.boolean() });

export const systemActions = {
  get_status: action({
    owner: 'session',
    origin: 'onebot11',
    status: 'ready',
    summary: 'Online state and packet / message counters of the account.',
    params: params({}),
    result: s.status,
  }),
  get_version_info: action({
    owner: 'session',
    origin: 'onebot11',
    status: 'ready',
    summary: 'Implementation and protocol versions, go-cqhttp-shaped.',
    params: params({}),
    result: z.looseObject({
      app_name: z.string(),
      app_version: z.string(),
      app_full_name: z.string(),
      protocol_version: z.literal('v11'),
      coolq_edition: z.string(),
      go_cqhttp: z.boolean(),
      runtime_version: z.string(),
      runtime_os: z.string(),
      version: z.string(),
      protocol_name: z.number(),
    }),
  }),
  set_restart: action({
    owner: 'session',
    origin: 'onebot11',
    status: 'ready',
    summary: "Restart the account's connection after `delay` ms.",
    params: params({ delay: int(0) }),
    result: s.nothing,
  }),
  can_send_image: action({
    owner: 'gateway',
    origin: 'onebot11',
    status: 'ready',
    summary: 'Always yes.',
    params: params({}),
    result: yes,
  }),
  can_send_record: action({
    owner: 'gateway',
    origin: 'onebot11',
    status: 'ready',
    summary: 'Always yes.',
    params: params({}),
    result: yes,
  }),
  get_supported_actions: action({
    owner: 'gateway',
    origin: 'go-cqhttp',
    status: 'ready',
    summary: 'Names of the actions this server answers (derived from the action table).',
    params: params({}),
    result: z.array(z.string()),
  }),
  reload_event_filter: action({
    owner: 'gateway',
    origin: 'go-cqhttp',
    status: 'ready',
    summary: 'Re-read the event filter file of the endpoints configured with `file`.',
    params: params({ file: str() }),
    result: s.nothing,
  }),
  '.handle_quick_operation': action({
    owner: 'gateway',
    origin: 'onebot11',
    status: 'ready',
    summary: 'Apply a quick operation (reply, delete, kick, ban, approve) to an event.',
    params: params({ context: json(), operation: json() }),
    result: s.nothing,
  }),
  get_updates: action({
    owner: 'gateway',
    origin: 'go-cqhttp',
    status: 'ready',
    summary: 'HTTP long polling: queued events (only where long polling is enabled).',
    params: params({ limit: int(0), timeout: int(0) }),
    result: z.array(z.unknown()),
  }),
} as const;
