/** SimControl speaks the control API's wire format (checked against a recording HTTP server). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimControl } from '@cqfleet/sim-client';

let server: Server;
let base: string;
const seen: Array<{ method: string; url: string; body: unknown }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', c => (body += String(c)));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, body: body ? JSON.parse(body) : undefined });
      if (req.url === '/fail') {
        res.writeHead(400);
        return res.end('{"error":{"code":"X","message":"no"}}');
      }
      res.setHeader('content-type', 'application/json');
      res.end(
        req.url?.includes('messages')
          ? '{"messages":[]}'
          : req.url?.includes('request_join')
            ? '{"flags":["f"]}'
            : '{"result":42,"flag":"f","dropped":true}',
      );
    });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => server.close());

describe('SimControl', () => {
  it('maps each call to its route and body', async () => {
    const sim = new SimControl(base);
    await sim.sendGroupMsg(20001, 100100, 'hi');
    await sim.sendPrivateMsg(20001, 10001, 'yo', 100100);
    expect(await sim.act(20001, 'poke', { user_id: 10001 })).toBe(42);
    expect(await sim.requestJoin(20006, 100100, 'c')).toEqual(['f']);
    expect(await sim.groupMessages(100100, 5)).toEqual([]);
    expect(await sim.drop(10001)).toBe(true);
    expect(seen).toEqual([
      {
        method: 'POST',
        url: '/people/20001/send_group_msg',
        body: { group_id: 100100, message: 'hi' },
      },
      {
        method: 'POST',
        url: '/people/20001/send_private_msg',
        body: { user_id: 10001, message: 'yo', group_id: 100100 },
      },
      { method: 'POST', url: '/people/20001/poke', body: { user_id: 10001 } },
      {
        method: 'POST',
        url: '/people/20006/request_join',
        body: { group_id: 100100, comment: 'c' },
      },
      { method: 'GET', url: '/groups/100100/messages?limit=5', body: undefined },
      { method: 'POST', url: '/accounts/10001/drop', body: undefined },
    ]);
  });

  it('a failure is an error carrying the status and body', async () => {
    await expect(new SimControl(base)['call']('GET', '/fail')).rejects.toThrow(/400/);
  });
});
