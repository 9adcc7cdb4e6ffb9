/**
 * `npm run bench -- actions`: the action round trip through the whole cluster (gateway → gRPC
 * → session worker → simulator, and the events the send produces) against bare transports
 * measured in the same run with the same client code:
 *
 * - bare HTTP: a `node:http` server answering the request with a fixed OneBot envelope;
 * - bare HTTP → gRPC: the same server making one grpc-js unary call per request (the pipeline
 *   the throughput target names);
 * - bare WebSocket: a `ws` server answering each request frame with an envelope.
 *
 * Scenarios: `send_group_msg` over HTTP (one at a time, and 16 in flight), over one WebSocket
 * (64 in flight), and `get_msg` over HTTP (one at a time).
 */
import { createServer, type Server, Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster } from '@cqfleet/devcluster';
import WebSocket, { WebSocketServer } from 'ws';
import { startEcho } from './baselines.js';
import { closedLoop, type Load, ms, perSecond, table, timeSequential } from './stats.js';

export interface ActionsBenchOptions {
  natsUrl: string;
  redisUrl: string;
  quick: boolean;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** POSTs JSON and resolves with the parsed answer. */
function post(url: string, body: unknown): Promise<{ status?: string }> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
      },
      res => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { status?: string });
          } catch (err) {
            reject(err as Error);
          }
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

const ENVELOPE = JSON.stringify({ status: 'ok', retcode: 0, data: { message_id: 1 }, message: '' });

async function listen(server: Server): Promise<string> {
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A WebSocket client with request ids, many requests in flight on one connection. */
async function wsClient(url: string) {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const waiting = new Map<string, (frame: { status?: string }) => void>();
  ws.on('message', data => {
    const frame = JSON.parse(String(data)) as { echo?: string; status?: string };
    if (frame.echo === undefined) return; // events
    waiting.get(frame.echo)?.(frame);
    waiting.delete(frame.echo);
  });
  let next = 0;
  return {
    call(action: string, params: unknown): Promise<{ status?: string }> {
      const echo = String(next++);
      return new Promise(resolve => {
        waiting.set(echo, resolve);
        ws.send(JSON.stringify({ action, params, echo }));
      });
    },
    close: () => ws.close(),
  };
}

const row = (name: string, l: Load | { rate: number; p50: number; p99: number }, base?: number) => [
  name,
  perSecond(l.rate),
  ms(l.p50),
  ms(l.p99),
  base === undefined ? '—' : `${((l.rate / base) * 100).toFixed(0)} %`,
];

export async function actionsBench(o: ActionsBenchOptions): Promise<string> {
  const seconds = o.quick ? 3_000 : 10_000;
  const sequential = o.quick ? 500 : 3_000;
  const sendBody = { group_id: 100100, message: 'bench message' };

  // Baselines.
  const bare = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(ENVELOPE));
  });
  const echo = await startEcho();
  const payload = Buffer.alloc(300, 7);
  const piped = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      echo.echo(payload).then(
        () => res.writeHead(200, { 'content-type': 'application/json' }).end(ENVELOPE),
        () => res.writeHead(500).end(),
      );
    });
  });
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  wss.on('connection', socket =>
    socket.on('message', data => {
      const { echo: id } = JSON.parse(String(data)) as { echo: string };
      socket.send(JSON.stringify({ ...(JSON.parse(ENVELOPE) as object), echo: id }));
    }),
  );
  await new Promise(r => wss.once('listening', r));
  const bareUrl = await listen(bare);
  const pipedUrl = await listen(piped);
  const bareWs = await wsClient(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  const ok = (r: { status?: string }) => r.status === 'ok';

  const cluster = await startCluster({
    namespace: `bench-actions-${process.pid}`,
    natsUrl: o.natsUrl,
    redisUrl: o.redisUrl,
    ports: { simulator: 0, http: 0, ws: 0, history: 0 },
    cacheDir: await mkdtemp(join(tmpdir(), 'bench-cache-')),
  });
  try {
    const api = `${cluster.httpUrl}/10001`;
    // Logged in before anything is timed.
    for (let i = 0; i < 100; i++) {
      if (ok(await post(`${api}/get_login_info`, {}))) break;
      await new Promise(r => setTimeout(r, 100));
    }
    const ws = await wsClient(`${cluster.wsUrl}/10001/`);

    const bareSeq = await timeSequential(sequential, () =>
      post(`${bareUrl}/send_group_msg`, sendBody),
    );
    const pipedSeq = await timeSequential(sequential, () =>
      post(`${pipedUrl}/send_group_msg`, sendBody),
    );
    const sendSeq = await timeSequential(sequential, () => post(`${api}/send_group_msg`, sendBody));
    const bareLoad = await closedLoop(16, seconds, async () =>
      ok(await post(`${bareUrl}/x`, sendBody)),
    );
    const pipedLoad = await closedLoop(16, seconds, async () =>
      ok(await post(`${pipedUrl}/x`, sendBody)),
    );
    const sendLoad = await closedLoop(16, seconds, async () =>
      ok(await post(`${api}/send_group_msg`, sendBody)),
    );
    const bareWsLoad = await closedLoop(64, seconds, async () => ok(await bareWs.call('x', {})));
    const wsLoad = await closedLoop(64, seconds, async () =>
      ok(await ws.call('send_group_msg', sendBody)),
    );
    const sent = (await post(`${api}/send_group_msg`, sendBody)) as {
      data?: { message_id: number };
    };
    const getSeq = await timeSequential(sequential, () =>
      post(`${api}/get_msg`, { message_id: sent.data?.message_id }),
    );
    ws.close();
    const errors = sendLoad.errors + wsLoad.errors;

    return [
      '## Actions',
      '',
      `Whole cluster on loopback (simulator, one session worker, history, media, gateway), ${o.quick ? 'quick' : 'full'} run: ${seconds / 1000} s per load, ${sequential} sequential calls. Percentages are throughput relative to the baseline named in the row above it.`,
      '',
      table(
        ['one at a time', 'rate', 'p50', 'p99', 'vs baseline'],
        [
          row('bare HTTP (baseline)', bareSeq),
          row('bare HTTP → gRPC unary (baseline)', pipedSeq),
          row('send_group_msg over HTTP', sendSeq, pipedSeq.rate),
          row('get_msg over HTTP', getSeq, pipedSeq.rate),
        ],
      ),
      '',
      table(
        ['in flight', 'rate', 'p50', 'p99', 'vs baseline'],
        [
          row('bare HTTP, 16 (baseline)', bareLoad),
          row('bare HTTP → gRPC unary, 16 (baseline)', pipedLoad),
          row('send_group_msg over HTTP, 16', sendLoad, pipedLoad.rate),
          row('bare WebSocket, 64 on one connection (baseline)', bareWsLoad),
          row('send_group_msg over WebSocket, 64', wsLoad, bareWsLoad.rate),
        ],
      ),
      '',
      `Failed answers under load: ${errors}.`,
    ].join('\n');
  } finally {
    await cluster.stop();
    bareWs.close();
    wss.close();
    bare.close();
    piped.close();
    echo.close();
    agent.destroy();
  }
}
