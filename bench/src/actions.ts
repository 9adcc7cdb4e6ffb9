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
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { ENVELOPE, startBareHttp, startEcho } from './baselines.js';
import { type ClusterSuiteOptions, startBenchCluster, untilLoggedIn } from './cluster.js';
import { agent, post } from './http-client.js';
import { wsClient } from './ws-client.js';
import { cpuMeter, cpuPerItem, cpuSum } from './cpu.js';
import {
  closedLoop,
  ms,
  openLoop,
  perSecond,
  rateRow,
  type Report,
  table,
  timeSequential,
} from './stats.js';
import { wakeUpCost } from './wake-up.js';

/** The rate of the latency target for actions (issue 20: 1,000/s; issue 8 had 2,000/s). */
const TARGET_RATE = 1_000;

export async function actionsBench(o: ClusterSuiteOptions): Promise<Report> {
  const seconds = o.quick ? 2_000 : 10_000;
  const sequential = o.quick ? 500 : 3_000;
  const sendBody = { group_id: 100100, message: 'bench message' };

  // Baselines.
  const bare = await startBareHttp();
  const echo = await startEcho();
  const payload = Buffer.alloc(300, 7);
  const piped = await startBareHttp(() => echo.echo(payload));
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  wss.on('connection', socket =>
    socket.on('message', data => {
      const { echo: id } = JSON.parse(String(data)) as { echo: string };
      socket.send(JSON.stringify({ ...(JSON.parse(ENVELOPE) as object), echo: id }));
    }),
  );
  await new Promise(r => wss.once('listening', r));
  const bareUrl = bare.url;
  const pipedUrl = piped.url;
  const bareWs = await wsClient(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  const ok = (r: { status?: string }) => r.status === 'ok';

  const cluster = await startBenchCluster(`bench-actions-${process.pid}`, o);
  try {
    const api = `${cluster.httpUrl}/10001`;
    await untilLoggedIn(cluster, 10001);
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
    const cpu = cpuMeter(Object.fromEntries(cluster.services.map(s => [s.name, s.child.pid])));
    let sends = 0; // warm-up included, as in the CPU time
    const sendLoad = await closedLoop(16, seconds, async () => {
      sends++;
      return ok(await post(`${api}/send_group_msg`, sendBody));
    });
    const sendSeconds = cpu.read();
    // The machine's cost of one wake-up, right after the load (wake-up.ts).
    const wake = await wakeUpCost();
    const cpuPerSend = `${cpuPerItem(sendSeconds, sends)} = ${(cpuSum(sendSeconds, sends) / wake).toFixed(1)} wake-ups of ${wake.toFixed(1)} µs (one Node process woken by a byte over loopback TCP, writing one back)`;
    const sendPaced = await openLoop(TARGET_RATE, seconds, async () =>
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
    const errors = sendLoad.errors + wsLoad.errors + sendPaced.errors;

    const markdown = [
      '## Actions',
      '',
      `Whole cluster on loopback (simulator, one session worker, history, media, gateway), ${o.quick ? 'quick' : 'full'} run: ${seconds / 1000} s per load, ${sequential} sequential calls. Percentages are throughput relative to the baseline named in the row above it.`,
      '',
      table(
        ['one at a time', 'rate', 'p50', 'p99', 'vs baseline'],
        [
          rateRow('bare HTTP (baseline)', bareSeq),
          rateRow('bare HTTP → gRPC unary (baseline)', pipedSeq),
          rateRow('send_group_msg over HTTP', sendSeq, pipedSeq.rate),
          rateRow('get_msg over HTTP', getSeq, pipedSeq.rate),
        ],
      ),
      '',
      table(
        ['in flight', 'rate', 'p50', 'p99', 'vs baseline'],
        [
          rateRow('bare HTTP, 16 (baseline)', bareLoad),
          rateRow('bare HTTP → gRPC unary, 16 (baseline)', pipedLoad),
          rateRow('send_group_msg over HTTP, 16', sendLoad, pipedLoad.rate),
          rateRow('bare WebSocket, 64 on one connection (baseline)', bareWsLoad),
          rateRow('send_group_msg over WebSocket, 64', wsLoad, bareWsLoad.rate),
        ],
      ),
      '',
      table(
        ['offered rate', 'rate', 'p50', 'p99'],
        [
          rateRow(`send_group_msg over HTTP, ${perSecond(TARGET_RATE)} offered`, sendPaced).slice(
            0,
            4,
          ),
        ],
      ),
      '',
      `CPU time per \`send_group_msg\` (HTTP, 16 in flight) of each process: ${cpuPerSend}. (\`bench\` is the HTTP client.)`,
      '',
      `Failed answers under load: ${errors}.`,
    ].join('\n');
    return {
      markdown,
      targets: [
        {
          target: 'send_group_msg over HTTP, 16 in flight: ≥ 100 % of bare HTTP → unary gRPC',
          figure: `${perSecond(sendLoad.rate)} = ${((sendLoad.rate / pipedLoad.rate) * 100).toFixed(0)} % of ${perSecond(pipedLoad.rate)} (16 in flight)`,
          met: sendLoad.rate >= pipedLoad.rate,
        },
        {
          target: `send_group_msg over HTTP p99 ≤ 10 ms at ${perSecond(TARGET_RATE)}`,
          figure: `p99 ${ms(sendPaced.p99)} (${perSecond(sendPaced.rate)} answered)`,
          met: sendPaced.p99 <= 10 && sendPaced.errors === 0,
        },
      ],
    };
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
