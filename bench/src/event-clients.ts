/**
 * The events suite's two ends: simulated people saying numbered messages through the
 * simulator's control API, and forward-WebSocket clients counting what reaches them.
 *
 * A message says `bench@<run>@<ms since epoch>#<n>`; the clients count every `n` and note when
 * each delivery arrived. A message's latency is from the simulator accepting it (`accepted_ms`
 * of the send's answer, the simulator's wall clock with a fraction) to a client receiving it
 * (this process's wall clock, likewise): both processes read the same system clock. Each socket
 * also remembers the last `n` it got, so a scenario with one sender in sequence can tell
 * whether its events arrived in order and none twice.
 */
import { Agent, request } from 'node:http';
import WebSocket from 'ws';

export const PERSON = 20001;

/** The wall clock in ms with a fraction, comparable with the simulator's `accepted_ms`. */
export const preciseNow = () => performance.timeOrigin + performance.now();

export interface Clients {
  deliveries: number;
  /** Every delivery: the message's `n` and when it arrived (preciseNow). */
  arrivals: Array<[number, number]>;
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
    deliveries: 0,
    arrivals: [],
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
        const n = Number(/^\d+#(\d+)/.exec(text.slice(at + mark.length))?.[1]);
        c.arrivals.push([n, preciseNow()]);
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

/**
 * Idle sockets are closed after 2 s, before the server's keep-alive timeout (5 s) could close
 * one just as a request goes out on it (ECONNRESET, which ended a whole run once).
 */
const agent = new Agent({ keepAlive: true, maxSockets: 8, timeout: 2_000 });

/** Posts; resolves with the answer's `accepted_ms`. */
function post(url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
      res => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`${url}: ${res.statusCode}`));
          const { accepted_ms } = JSON.parse(Buffer.concat(chunks).toString()) as {
            accepted_ms: number;
          };
          resolve(accepted_ms);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const text = (run: string, n: number) => `bench@${run}@${Date.now()}#${n}`;

/** Latencies of the deliveries whose message's accept time is known, in ms. */
export function latencies(c: Clients, accepted: ReadonlyMap<number, number>): number[] {
  const out: number[] = [];
  for (const [n, at] of c.arrivals) {
    const from = accepted.get(n);
    if (from !== undefined) out.push(at - from);
  }
  return out;
}

/** PERSON says message `n` of `run` in the group; resolves with the simulator's accept time. */
export function say(
  simulatorUrl: string,
  groupId: number,
  run: string,
  n: number,
): Promise<number> {
  const body = JSON.stringify({ group_id: groupId, message: text(run, n) });
  return post(`${simulatorUrl}/people/${PERSON}/send_group_msg`, body);
}

/**
 * PERSON says messages `from` … `from + count - 1` of `run` in the group, in one request;
 * resolves with the simulator's accept time of the burst.
 */
export function sayBurst(
  simulatorUrl: string,
  groupId: number,
  run: string,
  from: number,
  count: number,
): Promise<number> {
  const messages = Array.from({ length: count }, (_, i) => text(run, from + i));
  return post(
    `${simulatorUrl}/people/${PERSON}/send_group_msgs`,
    JSON.stringify({ group_id: groupId, messages }),
  );
}

export function closeAgent(): void {
  agent.destroy();
}
