/**
 * `.handle_quick_operation` and a token's allow-list (issue 15, item 4): each part of a quick
 * operation is the action it performs, and a part the token may not call refuses the whole
 * operation before anything runs.
 */
import { type ActionResponse, ok } from '@cqfleet/onebot';
import { describe, expect, it } from 'vitest';
import type { Grant } from '../src/auth/tokens.js';
import { FilterRegistry } from '../src/events/filter-registry.js';
import { type GatewayContext, gatewayHandlers } from '../src/handlers/index.js';
import { planQuickOperation } from '../src/routing/quick-operation.js';
import { silent } from './in-process.js';

const group = {
  post_type: 'message',
  message_type: 'group',
  group_id: 100100,
  user_id: 20003,
  message_id: 7,
  sender: { user_id: 20003 },
};
const request = { post_type: 'request', request_type: 'group', sub_type: 'add', flag: 'f' };

function run(grant: Grant | undefined, context: unknown, operation: unknown) {
  const called: string[] = [];
  const ctx: GatewayContext = {
    filters: new FilterRegistry({ dir: '', maxBytes: 1024 }, silent),
    log: silent,
    selfId: 10001,
    format: 'string',
    grant,
    caller: {
      call: async (action: string): Promise<ActionResponse> => (called.push(action), ok(null)),
    },
  };
  const handler = gatewayHandlers['.handle_quick_operation']!;
  return handler({ context, operation }, ctx).then(
    () => ({ called, msg: 'ok' }),
    (err: { msg?: string }) => ({ called, msg: err.msg }),
  );
}

const only = (...actions: string[]): Grant => ({
  name: 'limited',
  accounts: new Set([10001]),
  actions: new Set(['.handle_quick_operation', ...actions]),
});

describe('.handle_quick_operation - the allow-list holds for every part', () => {
  it('each part is the action it performs', () => {
    const plan = planQuickOperation(group, { reply: 'x', delete: true, kick: true, ban: true });
    expect(plan.map(s => s.action)).toEqual([
      'send_group_msg',
      'delete_msg',
      'set_group_kick',
      'set_group_ban',
    ]);
    expect(plan[0]!.permits).toContain('send_msg');
    expect(planQuickOperation(request, { approve: true }).map(s => s.action)).toEqual([
      'set_group_add_request',
    ]);
  });

  it('a token allowed only send_msg cannot kick or ban through a quick operation; nothing runs', async () => {
    expect(await run(only('send_msg'), group, { reply: 'hi', kick: true, ban: true })).toEqual({
      called: [],
      msg: 'ACCOUNT_FORBIDDEN',
    });
    expect(await run(only('send_msg'), group, { delete: true })).toMatchObject({
      msg: 'ACCOUNT_FORBIDDEN',
    });
    expect(await run(only('send_msg'), request, { approve: true })).toMatchObject({
      msg: 'ACCOUNT_FORBIDDEN',
    });
  });

  it('what the token may call runs: a reply with send_msg (or send_group_msg), a ban with set_group_ban', async () => {
    expect(await run(only('send_msg'), group, { reply: 'hi' })).toEqual({
      called: ['send_group_msg'],
      msg: 'ok',
    });
    expect(
      await run(only('send_group_msg', 'set_group_ban'), group, { reply: 'hi', ban: true }),
    ).toEqual({ called: ['send_group_msg', 'set_group_ban'], msg: 'ok' });
    expect(await run(undefined, group, { reply: 'hi', kick: true })).toEqual({
      called: ['send_group_msg', 'set_group_kick'],
      msg: 'ok',
    });
  });
});
