/**
 * The events suite's two ends: simulated people saying numbered messages through the
 * simulator's control API, and forward-WebSocket clients counting what reaches them.
 *
 * A message says `bench@<run>@<ms since epoch>#<n>`: the clients take the latency from the
 * stamp and count every `n`. Each socket also remembers the last `n` it got, so a scenario with
 * one sender in sequence can tell whether its events arrived in order and none twice.
 */
import { Agent, request } from 'node:http';
import WebSocket from 'ws';

export const PERSON = 20001;

export interface Clients {
  latencies: number[];
  deliveries: number;
  /** Deliveries whose `n` was not above the last one on the same socket (late or doubled). */
  regressions: number;
  /** Resolves when message `n` has reached `count` clients (false after `ms`). */
  delivered(n: number, count: number, ms: number): Promise<boolean>;
  close(): void;
}

export async function connect(
  wsUrl: string,
  uins: number[],
  perAccount: number,
  run: string,
): Promise<Clients> {
  const mark = `bench@${run}@`;
  const perMessage = new Map<number, number>();
  const waiting = new Map<number, { count: number; done: (ok: boolean) => void }>();
  const c: Clients = {
    latencies: [],
    deliveries: 0,
    regressions: 0,
    delivered: (n, count, ms) =>
      (perMessage.get(n) ?? 0) >= count
        ? Promise.resolve(true)
        : new Promise(resolve => {
            const timer = setTimeout(() => {
              waiting.delete(n);
              resolve(false);
            }, ms);
            waiting.set(n, {
              count,
              done: ok => {
                clearTimeout(timer);
                resolve(ok);
              },
            });
          }),
    close: () => undefined,
  };
  const sockets: WebSocket[] = [];
  for (const uin of uins)
    for (let i = 0; i < perAccount; i++) {
      const ws = new WebSocket(`${wsUrl}/${uin}/event`);
      let last = -1;
      ws.on('message', data => {
        const text = String(data);
        const at = text.indexOf(mark);
        if (at < 0) return; // another run's backlog, or not a bench message
        c.deliveries++;
        const stamp = text.slice(at + mark.length);
        c.latencies.push(Date.now() - Number(stamp.slice(0, 13)));
        const n = Number(/^\d+#(\d+)/.exec(stamp)?.[1]);
        if (n <= last) c.regressions++;
        else last = n;
        const got = (perMessage.get(n) ?? 0) + 1;
        perMessage.set(n, got);
        const w = waiting.get(n);
        if (w && got >= w.count) {
          waiting.delete(n);
          w.done(true);
        }
      });
      sockets.push(ws);
    }
  await Promise.all(sockets.map(ws => new Promise(r => ws.once('open', r))));
  c.close = () => sockets.forEach(ws => ws.close());
  return c;
}

const agent = new Agent({ keepAlive: true, maxSockets: 8 });

function post(url: string, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
      res => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`${url}: ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const text = (run: string, n: number) => `bench@${run}@${Date.now()}#${n}`;

/** PERSON says message `n` of `run` in the group. */
export function say(simulatorUrl: string, groupId: number, run: string, n: number): Promise<void> {
  const body = JSON.stringify({ group_id: groupId, message: text(run, n) });
  return post(`${simulatorUrl}/people/${PERSON}/send_group_msg`, body);
}

/** PERSON says messages `from` … `from + count - 1` of `run` in the group, in one request. */
export function sayBurst(
  simulatorUrl: string,
  groupId: number,
  run: string,
  from: number,
  count: number,
): Promise<void> {
  const messages = Array.from({ length: count }, (_, i) => text(run, from + i));
  return post(
    `${simulatorUrl}/people/${PERSON}/send_group_msgs`,
    JSON.stringify({ group_id: groupId, messages }),
  );
}

export function closeAgent(): void {
  agent.destroy();
}
