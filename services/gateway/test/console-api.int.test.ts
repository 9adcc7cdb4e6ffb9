/**
 * The console's API against the whole cluster (issue 19): behind the admin token, the fleet
 * snapshot lists the demo accounts with their driver, state and owner (from the session
 * workers' account-status entries), the live worker and gateway, and healthy NATS and Redis;
 * the action form's call answers what a client gets.
 */
import { FleetSnapshot } from '@cqfleet/contracts';
import { startTestCluster, type TestCluster, waitFor } from '@cqfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TOKEN = 't';

let cluster: TestCluster;
let admin: string;

beforeAll(async () => {
  cluster = await startTestCluster({ env: { GATEWAY_ADMIN_TOKEN: TOKEN } });
  admin = cluster.gateways[0]!.adminUrl;
});

afterAll(() => cluster?.stop());

/** `token` empty: no Authorization header. */
const get = (path: string, token = TOKEN) =>
  fetch(`${admin}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

async function fleet(): Promise<FleetSnapshot> {
  const res = await get('/console/api/fleet');
  expect(res.status).toBe(200);
  // The answer is the contract's shape, exactly.
  return FleetSnapshot.parse(await res.json());
}

describe('console API', () => {
  it('needs the admin token: 401 without, 403 with a wrong one', async () => {
    expect((await get('/console/api/fleet', '')).status).toBe(401);
    expect((await get('/console/api/fleet', 'wrong')).status).toBe(403);
    const call = await fetch(`${admin}/console/api/accounts/10001/call`, {
      method: 'POST',
      body: JSON.stringify({ action: 'get_login_info' }),
    });
    expect(call.status).toBe(401);
  });

  it('the snapshot lists the accounts, the members, NATS and Redis', async () => {
    const snap = await fleet();
    expect(snap.gateway).toMatch(/^gateway-/);
    expect(snap.accounts.map(a => a.uin)).toEqual([10001, 10002]);
    for (const a of snap.accounts) expect(a).toMatchObject({ enabled: true, driver: 'simulator' });
    expect(snap.workers.length).toBeGreaterThanOrEqual(1);
    expect(snap.gateways.length).toBeGreaterThanOrEqual(1);
    expect(snap.gateways.map(g => g.id)).toContain(snap.gateway);
    expect(snap.nats.ok).toBe(true);
    expect(snap.nats.rttMs).toBeGreaterThanOrEqual(0);
    expect(snap.redis).toMatchObject({ ok: true, role: 'master' });
    expect(snap.redis.usedMemoryBytes).toBeGreaterThan(0);
    expect(snap.media).toMatchObject({ waiting: expect.any(Number), failed: expect.any(Number) });
    // The history service counts its messages when it starts (then every 30 s), in the
    // background: the first count may come a moment after the cluster is up.
    const counted = await waitFor(async () => (await fleet()).history ?? undefined, 5_000, 'count');
    expect(counted).toEqual({ messages: expect.any(Number) });
  });

  // Needs the session workers' account-status entries (services/session/src/status/).
  it('states become online with their owner, and the worker holds them', async () => {
    const snap = await waitFor(
      async () => {
        const s = await fleet();
        return s.accounts.every(a => a.state === 'online' && a.owner) ? s : undefined;
      },
      10_000,
      'both accounts online with an owner',
    );
    const worker = snap.workers.find(w => w.id === snap.accounts[0]!.owner!.worker);
    expect(worker?.holds).toBe(2);
    expect(snap.accounts[0]!.owner!.fence).toBeGreaterThan(0);
  });

  it('rates are sampled every 2 s: a series that grows, never negative', async () => {
    await new Promise(resolve => setTimeout(resolve, 4_500));
    const snap = await fleet();
    for (const a of snap.accounts) {
      expect(a.eventsPerSecond.length).toBeGreaterThanOrEqual(1);
      expect(a.eventsPerSecond.length).toBeLessThanOrEqual(30);
      expect([...a.eventsPerSecond, ...a.actionsPerSecond].every(r => r >= 0)).toBe(true);
    }
  });

  it('calls an action as the account: get_login_info answers its envelope', async () => {
    const res = await fetch(`${admin}/console/api/accounts/10001/call`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ action: 'get_login_info', params: {} }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', retcode: 0, data: { user_id: 10001 } });
    // An action the table does not know is the client's envelope too, not an HTTP error.
    const unknown = await fetch(`${admin}/console/api/accounts/10001/call`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ action: 'no_such_action' }),
    });
    expect(unknown.status).toBe(200);
    expect(await unknown.json()).toMatchObject({ status: 'failed', retcode: 404 });
  });

  it('serves the page without a token, or says the console is not built', async () => {
    const res = await fetch(`${admin}/console/`);
    if (res.status === 200) {
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    } else {
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: 'CONSOLE_NOT_BUILT' } });
    }
    const redirect = await fetch(`${admin}/console`, { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/console/');
  });
});
