/**
 * What an account's outbound endpoints may call (auth/tokens.ts `outboundGrant`): the
 * endpoint's own `actions`, else what the tokens naming the account in a list allow, else every
 * action; and an HTTP POST receiver's reply runs only the quick-operation steps that grant
 * permits (the rest are skipped, logged and counted). `outbound-grants.int.test.ts` holds the
 * same against the real cluster, reverse WebSocket included.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AccountEndpoints,
  endpointId,
  HttpPostEndpoint,
  MAX_ACTION_NAME_LENGTH,
  MAX_ENDPOINT_ACTIONS,
  ReverseWsEndpoint,
} from '@cqfleet/contracts';
import { type ActionResponse, ok, type OneBotEvent } from '@cqfleet/onebot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allowsAction,
  type Grant,
  operatorOnly,
  outboundGrant,
  OPERATOR_ACTIONS,
} from '../src/auth/tokens.js';
import type { AccountToken } from '../src/config.js';
import { HttpPostSink } from '../src/delivery/http-post.js';
import { FilterRegistry } from '../src/events/filter-registry.js';
import { refused, settings, silent } from './in-process.js';

const token = (accounts: AccountToken['accounts'], actions?: string[]): AccountToken => ({
  token: `t-${JSON.stringify(accounts)}-${actions?.join(',') ?? 'all'}`,
  accounts,
  ...(actions ? { actions } : {}),
});
const actionsOf = (grant: Grant) => (grant.actions ? [...grant.actions].sort() : 'every action');

describe('outboundGrant', () => {
  it('no token names the account: every action of it, as before', () => {
    expect(actionsOf(outboundGrant(10001, 'e', undefined, []))).toBe('every action');
    expect(actionsOf(outboundGrant(10001, 'e', undefined, [token([10002], ['send_msg'])]))).toBe(
      'every action',
    );
  });

  it('every token naming the account is restricted: the union of their lists', () => {
    const grant = outboundGrant(10001, 'e', undefined, [
      token([10001], ['send_msg']),
      token([10001, 10003], ['get_status', 'send_msg']),
      token([10002], ['set_group_kick']),
    ]);
    expect(actionsOf(grant)).toEqual(['get_status', 'send_msg']);
    expect(grant.accounts).toEqual(new Set([10001]));
    expect(grant.operator).toBeUndefined();
  });

  it('one token naming the account is unrestricted: every action', () => {
    expect(
      actionsOf(
        outboundGrant(10001, 'e', undefined, [token([10001], ['send_msg']), token([10001, 10002])]),
      ),
    ).toBe('every action');
  });

  it("'*' tokens are the operator's, not a tenant's: they neither widen nor narrow", () => {
    expect(
      actionsOf(outboundGrant(10001, 'e', undefined, [token([10001], ['send_msg']), token('*')])),
    ).toEqual(['send_msg']);
    expect(actionsOf(outboundGrant(10001, 'e', undefined, [token('*', ['get_status'])]))).toBe(
      'every action',
    );
  });

  it("the endpoint's own actions replace the derived grant, narrower or wider; [] allows nothing", () => {
    const tokens = [token([10001], ['send_msg'])];
    expect(actionsOf(outboundGrant(10001, 'e', ['set_group_ban'], tokens))).toEqual([
      'set_group_ban',
    ]);
    expect(actionsOf(outboundGrant(10001, 'e', ['get_status'], [token([10001])]))).toEqual([
      'get_status',
    ]);
    const none = outboundGrant(10001, 'e', [], []);
    expect(allowsAction(none, 'send_msg')).toBe(false);
  });

  it("never the operator's actions, whatever the lists say", () => {
    for (const grant of [
      outboundGrant(10001, 'e', undefined, []),
      outboundGrant(10001, 'e', [...OPERATOR_ACTIONS], []),
    ])
      for (const action of OPERATOR_ACTIONS) expect(operatorOnly(grant, action)).toBe(true);
  });
});

describe('endpoint actions in the schemas', () => {
  const url = 'http://127.0.0.1:9/';
  const universal = 'ws://127.0.0.1:9/';

  it('absent, it is not in the parsed definition, so endpoint ids stay as they were', () => {
    const post = HttpPostEndpoint.parse({ url });
    const reverse = ReverseWsEndpoint.parse({ universal });
    expect('actions' in post).toBe(false);
    expect('actions' in reverse).toBe(false);
    // The ids of these definitions before the field existed.
    expect(endpointId('http_post', post)).toBe(
      endpointId('http_post', {
        url,
        secret: '',
        timeout_ms: 5000,
        retry_interval_ms: 1500,
        max_retry_interval_ms: 30000,
      }),
    );
    expect(endpointId('ws_reverse', reverse)).toBe(
      endpointId('ws_reverse', {
        universal,
        access_token: '',
        authorization_scheme: 'Bearer',
        reconnect_interval_ms: 3000,
      }),
    );
    expect(
      endpointId('http_post', HttpPostEndpoint.parse({ url, actions: ['send_msg'] })),
    ).not.toBe(endpointId('http_post', post));
  });

  it('is bounded: names and their count', () => {
    const many = Array.from({ length: MAX_ENDPOINT_ACTIONS + 1 }, (_, i) => `a${i}`);
    expect(HttpPostEndpoint.safeParse({ url, actions: many.slice(1) }).success).toBe(true);
    expect(HttpPostEndpoint.safeParse({ url, actions: many }).success).toBe(false);
    const long = 'x'.repeat(MAX_ACTION_NAME_LENGTH + 1);
    expect(ReverseWsEndpoint.safeParse({ universal, actions: [long] }).success).toBe(false);
    expect(ReverseWsEndpoint.safeParse({ universal, actions: [''] }).success).toBe(false);
    expect(
      AccountEndpoints.parse({ ws_reverse: [{ universal, actions: ['send_msg'] }] }).ws_reverse[0]
        ?.actions,
    ).toEqual(['send_msg']);
  });
});

describe("an HTTP POST receiver's reply is held to its endpoint's grant", () => {
  let receiver: Server;
  let url: string;
  const group = {
    post_type: 'message',
    message_type: 'group',
    group_id: 100100,
    user_id: 20004,
    message_id: 7,
    raw_message: 'moderate me',
    message: 'moderate me',
    sender: { user_id: 20004 },
    self_id: 10001,
    time: 1,
  };

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      req.resume();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ reply: 'words only', delete: true, kick: true, ban: true }));
    });
    await new Promise<void>(r => receiver.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
  });
  afterAll(() => receiver?.close());

  async function deliver(grant: Grant): Promise<string[]> {
    const called: string[] = [];
    const sink = new HttpPostSink(HttpPostEndpoint.parse({ url }), 10001, {
      settings,
      filters: new FilterRegistry({ dir: '', maxBytes: 1024 }, silent),
      caller: {
        call: async (action: string): Promise<ActionResponse> => (called.push(action), ok(null)),
      },
      grant,
      log: silent,
    });
    expect(await sink.deliver({ id: 'e1', event: group as unknown as OneBotEvent })).toBe(true);
    return called;
  }

  it('the tenant may only send: the reply is sent; delete, kick and ban are not run, and counted', async () => {
    const before = await refused('quick_step_refused');
    const grant = outboundGrant(10001, 'http_post x', undefined, [token([10001], ['send_msg'])]);
    expect(await deliver(grant)).toEqual(['send_group_msg']);
    expect(await refused('quick_step_refused')).toBe(before + 3);
  });

  it("the endpoint's own actions: only those steps", async () => {
    const grant = outboundGrant(
      10001,
      'http_post x',
      ['set_group_ban'],
      [token([10001], ['send_msg'])],
    );
    expect(await deliver(grant)).toEqual(['set_group_ban']);
  });

  it('no restricted token: every step, as before', async () => {
    expect(
      await deliver(outboundGrant(10001, 'http_post x', undefined, [token('*', ['x'])])),
    ).toEqual(['send_group_msg', 'delete_msg', 'set_group_kick', 'set_group_ban']);
  });
});
