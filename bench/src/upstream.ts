/**
 * `npm run bench -- upstream`: what putting cqfleet in front of an upstream OneBot
 * implementation (NapCat, Lagrange, …) costs, and what the reverse-WebSocket relay costs on top.
 *
 * The upstream is scripted in this process: it answers every action at once (no QQ behind it),
 * so the figures are cqfleet's overhead alone. Two accounts of one front cluster use it:
 * `forward` (the owning session worker connects to the upstream's WebSocket server) and
 * `reverse` (the upstream connects to the gateway's `/upstream`; the gateway relays the socket
 * over NATS to the owner). The baseline is the same client code talking to the upstream
 * directly, measured in the same run.
 */
import type { AddressInfo } from 'node:net';
import { AccountRecord, Namespace } from '@cqfleet/contracts';
import { AccountRegistry, connectNats, connectRedis, createLogger } from '@cqfleet/runtime';
import WebSocket, { WebSocketServer } from 'ws';
import { type ClusterSuiteOptions, startBenchCluster, untilLoggedIn } from './cluster.js';
import { cpuMeter, cpuPerItem } from './cpu.js';
import { post } from './http-client.js';
import { closedLoop, perSecond, rateRow, type Report, table, timeSequential } from './stats.js';
import { wsClient } from './ws-client.js';

const FORWARD = 41001;
const REVERSE = 41002;
const TOKEN = 'bench-upstream';
const GROUP = 100100;

/** Answers like an upstream with nothing behind it; pushes events to its sockets. */
class ScriptedUpstream {
  private readonly sockets = new Map<number, WebSocket>();
  private nextId = 1;

  serve(uin: number, ws: WebSocket): void {
    this.sockets.set(uin, ws);
    ws.on('message', data => {
      const req = JSON.parse(String(data)) as { action: string; echo: unknown };
      const data_ =
        req.action === 'get_login_info'
          ? { user_id: uin, nickname: `upstream ${uin}` }
          : req.action === 'get_version_info'
            ? { app_name: 'NapCat.Onebot', app_version: 'bench' }
            : { message_id: this.nextId++ };
      ws.send(JSON.stringify({ status: 'ok', retcode: 0, data: data_, echo: req.echo }));
    });
  }

  /**
   * Group messages `from` … `to - 1` of account `uin`, written as fast as the socket takes
   * them.
   */
  push(uin: number, from: number, to: number, tag: string): void {
    const ws = this.sockets.get(uin);
    if (!ws) throw new Error(`no upstream socket for ${uin}`);
    const time = Math.floor(Date.now() / 1000);
    for (let i = from; i < to; i++)
      ws.send(
        JSON.stringify({
          post_type: 'message',
          message_type: 'group',
          sub_type: 'normal',
          time,
          self_id: uin,
          group_id: GROUP,
          user_id: 20001,
          message_id: 1_000_000 + this.nextId++,
          message: [{ type: 'text', data: { text: `${tag} ${i}` } }],
          raw_message: `${tag} ${i}`,
          font: 0,
          sender: { user_id: 20001, nickname: 'someone' },
        }),
      );
  }
}

/**
 * Most events the upstream has pushed that the client has not received. The session holds at
 * most UPSTREAM_BACKLOG (10,000) of an account's events waiting to be published and drops what
 * comes past it (an upstream cannot be paused), so pushing all 20,000 at once lost some and
 * the run waited for them for ever; a window well under that bound measures the path, not the
 * drop.
 */
const UNDELIVERED_WINDOW = 2_000;

/** Events of `uin` as a front WebSocket client receives them: the rate of `count` pushed. */
async function eventRate(
  wsUrl: string,
  upstream: ScriptedUpstream,
  uin: number,
  count: number,
): Promise<number> {
  const client = new WebSocket(`${wsUrl}/${uin}/event`);
  await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
  const tag = `burst-${uin}-${Date.now()}`;
  let got = 0;
  let pushed = 0;
  const pump = () => {
    const to = Math.min(count, got + UNDELIVERED_WINDOW);
    if (to - pushed < UNDELIVERED_WINDOW / 4 && to < count) return;
    upstream.push(uin, pushed, to, tag);
    pushed = to;
  };
  const done = new Promise<void>(resolve =>
    client.on('message', data => {
      if (!String(data).includes(tag)) return;
      if (++got === count) resolve();
      else if (pushed < count) pump();
    }),
  );
  const start = performance.now();
  pump();
  await done;
  const seconds = (performance.now() - start) / 1000;
  client.close();
  return count / seconds;
}

export async function upstreamBench(o: ClusterSuiteOptions): Promise<Report> {
  const loadMs = o.quick ? 1_000 : 5_000;
  const sequential = o.quick ? 300 : 2_000;
  const events = o.quick ? 2_000 : 20_000;
  const body = { group_id: GROUP, message: 'bench message' };
  const ok = (r: { status?: string }) => r.status === 'ok';

  const upstream = new ScriptedUpstream();
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise(r => server.once('listening', r));
  const serverUrl = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The front's forward account connects at /<uin>; a direct client anywhere else.
  server.on('connection', (ws, req) => {
    const uin = Number(/^\/(\d+)/.exec(req.url ?? '')?.[1]);
    upstream.serve(Number.isSafeInteger(uin) ? uin : 0, ws);
  });

  const namespace = `bench-upstream-${process.pid}`;
  const cluster = await startBenchCluster(namespace, o, { accounts: [] });
  let reverseSocket: WebSocket | undefined;
  try {
    await register(namespace, o, serverUrl);
    reverseSocket = await connectReverse(cluster.wsUrl);
    upstream.serve(REVERSE, reverseSocket);
    await untilLoggedIn(cluster, FORWARD);
    await untilLoggedIn(cluster, REVERSE);

    const direct = await wsClient(`${serverUrl}/direct`);
    const fwdWs = await wsClient(`${cluster.wsUrl}/${FORWARD}/api`);
    const revWs = await wsClient(`${cluster.wsUrl}/${REVERSE}/api`);
    const http = (uin: number) => `${cluster.httpUrl}/${uin}/send_group_msg`;

    const directSeq = await timeSequential(sequential, () => direct.call('send_group_msg', body));
    const fwdSeq = await timeSequential(sequential, () => fwdWs.call('send_group_msg', body));
    const revSeq = await timeSequential(sequential, () => revWs.call('send_group_msg', body));
    const fwdHttp = await timeSequential(sequential, () => post(http(FORWARD), body));
    const directLoad = await closedLoop(64, loadMs, async () =>
      ok(await direct.call('send_group_msg', body)),
    );
    const pids = Object.fromEntries(cluster.services.map(s => [s.name, s.child.pid]));
    const measured = async (client: typeof fwdWs) => {
      const cpu = cpuMeter(pids);
      let calls = 0; // warm-up included, as in the CPU time
      const load = await closedLoop(64, loadMs, async () => {
        calls++;
        return ok(await client.call('send_group_msg', body));
      });
      return { load, cpu: cpuPerItem(cpu.read(), calls) };
    };
    const fwd = await measured(fwdWs);
    const rev = await measured(revWs);
    const [fwdLoad, revLoad] = [fwd.load, rev.load];
    const fwdEvents = await eventRate(cluster.wsUrl, upstream, FORWARD, events);
    const revEvents = await eventRate(cluster.wsUrl, upstream, REVERSE, events);
    for (const c of [direct, fwdWs, revWs]) c.close();
    const errors = fwdLoad.errors + revLoad.errors;

    const markdown = [
      '## Upstream accounts',
      '',
      `cqfleet in front of an upstream OneBot implementation, scripted in the benchmark process and answering at once (${o.quick ? 'quick' : 'full'} run: ${loadMs / 1000} s per load, ${sequential} sequential calls, ${events} events per burst). \`forward\`: the session worker connects to the upstream; \`reverse\`: the upstream connects to the gateway and the socket is relayed over NATS. The baseline is the same WebSocket client talking to the upstream directly; rows without "HTTP" use it on the front's \`/api\` socket.`,
      '',
      table(
        ['send_group_msg', 'rate', 'p50', 'p99', 'vs baseline'],
        [
          rateRow('straight to the upstream, one at a time on a WebSocket (baseline)', directSeq),
          rateRow('through cqfleet, forward, one at a time', fwdSeq, directSeq.rate),
          rateRow('through cqfleet, reverse, one at a time', revSeq, directSeq.rate),
          rateRow('through cqfleet, forward, HTTP API, one at a time', fwdHttp, directSeq.rate),
          rateRow('straight to the upstream, 64 in flight on one WebSocket (baseline)', directLoad),
          rateRow(
            'through cqfleet, forward, 64 in flight on one WebSocket',
            fwdLoad,
            directLoad.rate,
          ),
          rateRow(
            'through cqfleet, reverse, 64 in flight on one WebSocket',
            revLoad,
            directLoad.rate,
          ),
        ],
      ),
      '',
      table(
        ['events from the upstream to a front WebSocket client', 'rate', 'vs forward'],
        [
          ['forward', perSecond(fwdEvents), '—'],
          [
            'reverse (relayed)',
            perSecond(revEvents),
            `${((revEvents / fwdEvents) * 100).toFixed(0)} %`,
          ],
        ],
      ),
      '',
      `CPU time per \`send_group_msg\` (64 in flight) of each process — forward: ${fwd.cpu}; reverse: ${rev.cpu}. (\`bench\` is the client and the scripted upstream.)`,
      '',
      `Every event is published to JetStream and stored by history on the way, as for native accounts. Failed answers under load: ${errors}.`,
    ].join('\n');
    return { markdown, targets: [] };
  } finally {
    reverseSocket?.close();
    await cluster.stop();
    server.close();
  }
}

/** The two accounts, as the admin API would add them. */
async function register(
  namespace: string,
  o: { natsUrl: string; redisUrl: string },
  serverUrl: string,
): Promise<void> {
  const log = createLogger('bench', 'warn');
  const nc = await connectNats(o.natsUrl, 'bench', log);
  const redis = connectRedis(o.redisUrl, 'bench', log);
  try {
    await new AccountRegistry(redis, nc, new Namespace(namespace)).addMissing([
      AccountRecord.parse({
        uin: FORWARD,
        driver: 'onebot',
        options: { url: `${serverUrl}/${FORWARD}`, token: TOKEN },
      }),
      AccountRecord.parse({
        uin: REVERSE,
        driver: 'onebot',
        options: { mode: 'reverse', token: TOKEN },
      }),
    ]);
  } finally {
    redis.disconnect();
    await nc.drain();
  }
}

/** The upstream's reverse socket, once the gateway knows the account (it reloads its registry). */
async function connectReverse(wsUrl: string): Promise<WebSocket> {
  for (let attempt = 0; ; attempt++) {
    const ws = new WebSocket(`${wsUrl}/upstream`, {
      headers: { 'X-Self-ID': String(REVERSE), Authorization: `Bearer ${TOKEN}` },
    });
    const opened = await new Promise<boolean>(resolve => {
      ws.once('open', () => resolve(true));
      ws.once('error', () => resolve(false));
    });
    if (opened) return ws;
    if (attempt >= 50) throw new Error('the gateway refused the upstream socket');
    await new Promise(r => setTimeout(r, 100));
  }
}
