import { createLogger } from '@cqfleet/runtime';
import {
  type EventPush,
  type Push,
  SimConnection,
  SimControl,
  SimError,
} from '@cqfleet/sim-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import {
  DEMO_WORLD_PATH,
  loadWorldFile,
  opTable,
  type RunningSimulator,
  startSimulator,
} from '@cqfleet/simulator';

const log = createLogger('test', 'silent');
let sim: RunningSimulator;
let control: SimControl;

beforeAll(async () => {
  sim = await startSimulator(
    await loadWorldFile(DEMO_WORLD_PATH),
    { host: '127.0.0.1', port: 0, seqBase: 1000 },
    log,
  );
  control = new SimControl(sim.url);
});
afterAll(() => sim.close());

/** Logs an account in and collects its pushes. */
async function login(uin: number, fence: number, resumeAfter = 0, epoch = '') {
  const conn = await SimConnection.open(sim.url);
  const pushes: Push[] = [];
  conn.onPush = p => pushes.push(p);
  const info = await conn.request('login', { uin, fence, resume_after: resumeAfter, epoch });
  return { conn, pushes, info };
}

const events = (pushes: Push[]) => pushes.filter((p): p is EventPush => p.push === 'event');

async function waitFor<T>(fn: () => T | undefined, ms = 2000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise(r => setTimeout(r, 10));
  }
}

describe('simulator - demo world', () => {
  it('has the accounts, groups and roles the README promises', () => {
    const w = sim.world;
    const ops = opTable(w);
    expect(w.accounts().sort()).toEqual([10001, 10002]);
    expect(ops.get_friends({}, 10001).map(f => f.user_id)).toContain(10002);
    expect(ops.get_member({ group_id: 100100, user_id: 10001 }, 10001).role).toBe('owner');
    expect(ops.get_member({ group_id: 100100, user_id: 10002 }, 10001).role).toBe('member');
    expect(
      ops.get_members({ group_id: 100100 }, 10001).filter(m => !w.isAccount(m.user_id)).length,
    ).toBeGreaterThanOrEqual(5);
    expect(ops.get_member({ group_id: 100200, user_id: 10002 }, 10002).role).toBe('admin');
    expect(() => ops.get_group({ group_id: 100200 }, 10001)).toThrow(SimError);
  });
});

describe('simulator - driver protocol', () => {
  it('login returns the profile; a person speaking in a group reaches both bots', async () => {
    const a = await login(10001, 1);
    const b = await login(10002, 1);
    expect(a.info.self.nickname).toBe('Fleet Alpha');
    const sent = await control.sendGroupMsg(20001, 100100, 'hello [CQ:at,qq=10001]');
    for (const who of [a, b]) {
      const ev = await waitFor(() =>
        events(who.pushes).find(p => p.event.kind === 'group_message' && p.event.seq === sent.seq),
      );
      expect(ev.event).toMatchObject({
        kind: 'group_message',
        group_id: 100100,
        sender: { user_id: 20001, card: 'Alice (admin)', role: 'admin' },
        elements: [
          { type: 'text', data: { text: 'hello ' } },
          { type: 'at', data: { qq: '10001' } },
        ],
      });
    }
    a.conn.close();
    b.conn.close();
  });

  it('a bot sending to a group is recorded and reaches the other bot, not itself', async () => {
    const a = await login(10001, 2);
    const b = await login(10002, 2);
    const res = await a.conn.request('send_group_msg', {
      group_id: 100100,
      elements: [{ type: 'text', data: { text: 'from alpha' } }],
    });
    await waitFor(() =>
      events(b.pushes).find(p => p.event.kind === 'group_message' && p.event.seq === res.seq),
    );
    const log = await control.groupMessages(100100, 5);
    expect(log.at(-1)).toMatchObject({ seq: res.seq, sender_id: 10001, message: 'from alpha' });
    expect(
      events(a.pushes).some(p => p.event.kind === 'group_message' && p.event.seq === res.seq),
    ).toBe(false);
    a.conn.close();
    b.conn.close();
  });

  it('rules: unknown groups, non-members, empty messages and non-friends fail with OneBot tags', async () => {
    const a = await login(10001, 3);
    await expect(
      a.conn.request('send_group_msg', {
        group_id: 999,
        elements: [{ type: 'text', data: { text: 'x' } }],
      }),
    ).rejects.toMatchObject({ code: 'GROUP_NOT_FOUND' });
    await expect(
      a.conn.request('send_group_msg', {
        group_id: 100200,
        elements: [{ type: 'text', data: { text: 'x' } }],
      }),
    ).rejects.toMatchObject({ code: 'GROUP_NOT_FOUND' });
    await expect(
      a.conn.request('send_group_msg', { group_id: 100100, elements: [] }),
    ).rejects.toMatchObject({ code: 'EMPTY_MSG_ERROR' });
    await expect(
      a.conn.request('send_private_msg', {
        user_id: 20006,
        elements: [{ type: 'text', data: { text: 'x' } }],
      }),
    ).rejects.toMatchObject({ code: 'SEND_MSG_API_ERROR' });
    a.conn.close();
  });

  it('an oversized message is refused with the protocol error reply, by driver and control API', async () => {
    const a = await login(10001, 4);
    const huge = [{ type: 'text', data: { text: 'x'.repeat(4 * 1024 * 1024) } }];
    await expect(
      a.conn.request('send_group_msg', { group_id: 100100, elements: huge }),
    ).rejects.toMatchObject({ code: 'SEND_MSG_API_ERROR' });
    // The connection goes on: the refusal was an answer, not a failure.
    expect(
      await a.conn.request('send_group_msg', {
        group_id: 100100,
        elements: [{ type: 'text', data: { text: 'small' } }],
      }),
    ).toMatchObject({ seq: expect.any(Number) });
    a.conn.close();
    const res = await fetch(`${sim.url}/people/20002/send_group_msg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ group_id: 100100, message: huge }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'SEND_MSG_API_ERROR' } });
  });

  it('resume_after replays missed events in order; another epoch replays everything kept', async () => {
    const first = await login(10002, 10);
    const lastSeq = first.info.last_seq;
    const epoch = first.info.epoch;
    first.conn.close();
    await control.sendGroupMsg(20002, 100100, 'missed 1');
    await control.sendPrivateMsg(20004, 10002, 'missed 2');
    const again = await login(10002, 11, lastSeq, epoch);
    const replayed = await waitFor(() =>
      events(again.pushes).length >= 2 ? events(again.pushes) : undefined,
    );
    expect(replayed.map(p => p.seq)).toEqual([lastSeq + 1, lastSeq + 2]);
    expect(replayed[1]!.event).toMatchObject({
      kind: 'private_message',
      sender: { user_id: 20004 },
      target_id: 10002,
    });
    again.conn.close();
    const fresh = await login(10002, 12, lastSeq, 'another-epoch');
    await waitFor(() => (events(fresh.pushes).length >= lastSeq + 2 ? true : undefined));
    fresh.conn.close();
  });

  it('fencing: a higher fence kicks the current login, a lower one is refused', async () => {
    const old = await login(10001, 50);
    const closed = new Promise<number>(resolve => (old.conn.onClose = code => resolve(code)));
    const next = await login(10001, 51);
    expect(await closed).toBe(4001);
    expect(old.pushes.some(p => p.push === 'kicked')).toBe(true);
    const stale = await SimConnection.open(sim.url);
    await expect(
      stale.request('login', { uin: 10001, fence: 49, resume_after: 0, epoch: '' }),
    ).rejects.toMatchObject({ code: 'FENCED' });
    stale.close();
    next.conn.close();
  });

  it('ops need a login; bad frames get BAD_REQUEST, not a dropped socket', async () => {
    const conn = await SimConnection.open(sim.url);
    await expect(conn.request('get_groups', {})).rejects.toMatchObject({ code: 'NOT_LOGGED_IN' });
    await expect(
      conn.request('login', { uin: 'x' as never, fence: 1, resume_after: 0, epoch: '' }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(
      conn.request('login', { uin: 424242, fence: 1, resume_after: 0, epoch: '' }),
    ).rejects.toMatchObject({ code: 'ACCOUNT_NOT_FOUND' });
    expect(conn.isOpen).toBe(true);
    conn.close();
  });

  it('frames that are not objects (null, [], 42) are dropped; the simulator keeps serving', async () => {
    const ws = new WebSocket(`${sim.url.replace(/^http/, 'ws')}/driver`);
    await new Promise(r => ws.once('open', r));
    for (const frame of ['null', '[]', '42', '"x"', '{']) ws.send(frame);
    const answer = new Promise<string>(r => ws.once('message', d => r(String(d))));
    ws.send(JSON.stringify({ id: 9, op: 'get_groups', args: {} }));
    expect(JSON.parse(await answer)).toMatchObject({ id: 9, ok: false });
    ws.close();
    const { conn } = await login(10001, 99);
    expect(conn.isOpen).toBe(true);
    conn.close();
  });

  it('a frame nested past 64 levels is BAD_REQUEST before it is parsed, not an internal error', async () => {
    const ws = new WebSocket(`${sim.url.replace(/^http/, 'ws')}/driver`);
    await new Promise(r => ws.once('open', r));
    const answers: Array<{ id?: number }> = [];
    ws.on('message', d => answers.push(JSON.parse(String(d)) as { id?: number }));
    ws.send(
      JSON.stringify({ id: 1, op: 'login', args: { uin: 10001, fence: 100, resume_after: 0 } }),
    );
    // A forward whose nodes nest 100,000 deep: the schema's recursive walk overflowed the stack.
    let nodes = '[]';
    for (let i = 0; i < 100_000; i++)
      nodes = `[{"user_id":1,"nickname":"a","time":0,"nodes":${nodes}}]`;
    ws.send(`{"id":7,"op":"send_forward","args":{"group_id":100100,"nodes":${nodes}}}`);
    ws.send(JSON.stringify({ id: 8, op: 'get_groups', args: {} }));
    await vi.waitFor(() => expect(answers.find(a => a.id === 8)).toBeDefined());
    const replies = answers.filter(a => a.id !== undefined);
    expect(replies.map(a => a.id)).toEqual([1, 0, 8]);
    expect(replies[1]).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(replies[2]).toMatchObject({ ok: true });
    ws.close();
  });
});

describe('simulator - control API', () => {
  it('a request line it cannot read is 400, and the simulator keeps serving', async () => {
    const head = await fetch(`${sim.url}/media/image/%E0%A4%A`, { method: 'HEAD' });
    expect(head.status).toBe(400);
    const put = await fetch(`${sim.url}/media/image/%ZZ`, { method: 'PUT', body: 'x' });
    expect(put.status).toBe(400);
    expect(await put.json()).toEqual({
      error: { code: 'BAD_REQUEST', message: 'malformed percent-escape' },
    });
    expect((await fetch(`${sim.url}/nope`)).status).toBe(404);
  });

  it('lists private messages of a person; 404 for unknown routes, 405 and 400 for bad calls', async () => {
    await control.sendPrivateMsg(20001, 10001, 'hi alpha');
    const msgs = await control.personMessages(20001, 3);
    expect(msgs.at(-1)).toMatchObject({ sender_id: 20001, target_id: 10001, message: 'hi alpha' });
    const res = await fetch(`${sim.url}/nope`);
    expect(res.status).toBe(404);
    const bad = await fetch(`${sim.url}/people/20001/send_group_msg`, {
      method: 'POST',
      body: 'not json',
    });
    expect(bad.status).toBe(400);
    const notAnObject = await fetch(`${sim.url}/people/20001/send_group_msg`, {
      method: 'POST',
      body: '[1]',
    });
    expect(notAnObject.status).toBe(400);
    const wrongMethod = await fetch(`${sim.url}/people/20001/send_group_msg`);
    expect(wrongMethod.status).toBe(405);
    const unknownGroup = await fetch(`${sim.url}/groups/4242/messages`);
    expect(unknownGroup.status).toBe(404);
  });

  it('says a burst of group messages in one request, in order, and refuses bad bursts', async () => {
    const say = (body: unknown) =>
      fetch(`${sim.url}/people/20001/send_group_msgs`, {
        method: 'POST',
        body: JSON.stringify(body),
      });
    const res = await say({ group_id: 100100, messages: ['burst 1', 'burst 2', 'burst 3'] });
    expect(res.status).toBe(200);
    const { message_ids, accepted_ms } = (await res.json()) as {
      message_ids: number[];
      accepted_ms: number;
    };
    expect(message_ids).toHaveLength(3);
    expect(Math.abs(accepted_ms - Date.now())).toBeLessThan(1_000);
    const said = await (await fetch(`${sim.url}/groups/100100/messages?limit=3`)).json();
    expect((said as { messages: Array<{ message: string }> }).messages.map(m => m.message)).toEqual(
      ['burst 1', 'burst 2', 'burst 3'],
    );
    for (const messages of [[], 'x', Array.from({ length: 1_001 }, () => 'm')])
      expect((await say({ group_id: 100100, messages })).status).toBe(400);
  });
});
