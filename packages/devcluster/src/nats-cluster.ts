/**
 * A NATS cluster with JetStream on loopback, for the chaos run and fault tests: `size`
 * nats-servers named n1..nN, each with its own client port, cluster (route) port and store
 * directory, all routed to each other.
 *
 * Each server runs from a config file (`<dir>/nK/nats.conf`), not from flags: routes, the
 * cluster name and the JetStream store are spelled out where one can read them, and a killed
 * node restarts from the same file with the same ports and store, as a crashed pod would.
 *
 * ```ts
 * const nats = await startNatsCluster({ dir });
 * // CQFLEET_NATS_URL=nats.url (comma-separated); await (await nats.streamLeader('X_EVENTS'))?.kill()
 * await nats.stop();
 * ```
 */
import { jetstreamManager, type JetStreamManager, type StreamInfo } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from './infra.js';
import { pollUntil, requireBinary, ServerNode, stopAll, workDir } from './server-node.js';

const HOST = '127.0.0.1';

export interface NatsClusterOptions {
  /** Number of servers. @default 3 */
  size?: number;
  /** Where each server keeps its config, log and store (`<dir>/nK/`); a temporary one if absent. */
  dir?: string;
  /** The cluster's name (the `cluster { name }` every route must agree on). @default 'cqfleet' */
  clusterName?: string;
  /** Longest wait for the servers and the JetStream meta leader. @default 30 s */
  readyTimeoutMs?: number;
}

/** One server of the cluster: `kill()` is a crash (SIGKILL), `restart()` brings it back. */
export class NatsNode extends ServerNode {
  /** `nats://127.0.0.1:<client port>` */
  get url(): string {
    return `nats://${this.host}:${this.port}`;
  }
}

export interface NatsCluster {
  /** One client URL per server. */
  urls: string[];
  /** The same, comma-joined: what `CQFLEET_NATS_URL` takes. */
  url: string;
  nodes: NatsNode[];
  /** The node by server name (`n1`…). */
  node(name: string): NatsNode;
  /** Resolves once the JetStream meta leader is elected (the JetStream API answers). */
  waitForMeta(timeoutMs?: number): Promise<void>;
  /** The node that leads `stream` now; undefined while it has no leader. */
  streamLeader(stream: string): Promise<NatsNode | undefined>;
  /** Waits until `stream` has a leader other than the server named `other` (a new one after a kill). */
  waitForStreamLeader(stream: string, other?: string, timeoutMs?: number): Promise<NatsNode>;
  /** Waits until every replica of `stream` is online and current (a restarted node caught up). */
  waitForStreamCurrent(stream: string, timeoutMs?: number): Promise<void>;
  /** Stops every server (SIGTERM, then SIGKILL) and removes a temporary `dir`. */
  stop(): Promise<void>;
}

/** The config file of one server: JetStream with its own store, routes to every other server. */
function natsConfig(o: {
  name: string;
  port: number;
  clusterPort: number;
  clusterName: string;
  routePorts: number[];
  store: string;
  logFile: string;
}): string {
  const q = JSON.stringify;
  const routes = o.routePorts.map(p => `    ${q(`nats-route://${HOST}:${p}`)}`).join('\n');
  return `# written by @cqfleet/devcluster (nats-cluster.ts)
server_name: ${q(o.name)}
listen: ${q(`${HOST}:${o.port}`)}
log_file: ${q(o.logFile)}
jetstream {
  store_dir: ${q(o.store)}
}
cluster {
  name: ${q(o.clusterName)}
  listen: ${q(`${HOST}:${o.clusterPort}`)}
  # Clients and routes stay on the addresses written here (all loopback).
  no_advertise: true
  routes: [
${routes}
  ]
}
`;
}

export async function startNatsCluster(options: NatsClusterOptions = {}): Promise<NatsCluster> {
  const size = options.size ?? 3;
  const clusterName = options.clusterName ?? 'cqfleet';
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  if (!Number.isInteger(size) || size < 1) throw new Error(`NATS cluster size ${size}`);
  const binary = await requireBinary('nats-server', 'nats-server');
  const work = await workDir(options.dir, 'cqfleet-nats-cluster-');

  const ports: Array<{ client: number; cluster: number }> = [];
  for (let i = 0; i < size; i++)
    ports.push({ client: await freePort(), cluster: await freePort() });

  const nodes: NatsNode[] = [];
  for (const [i, p] of ports.entries()) {
    const name = `n${i + 1}`;
    const home = join(work.dir, name);
    const store = join(home, 'store');
    const logFile = join(home, 'nats.log');
    await mkdir(store, { recursive: true });
    const config = join(home, 'nats.conf');
    const routePorts = ports.filter((_, j) => j !== i).map(o => o.cluster);
    await writeFile(
      config,
      natsConfig({
        name,
        port: p.client,
        clusterPort: p.cluster,
        clusterName,
        routePorts,
        store,
        logFile,
      }),
    );
    nodes.push(
      new NatsNode({
        name,
        binary,
        args: ['-c', config],
        host: HOST,
        port: p.client,
        logFile,
        readyTimeoutMs,
      }),
    );
  }

  const urls = nodes.map(n => n.url);

  /** A short-lived management connection to any server that answers. */
  async function withJsm<T>(fn: (jsm: JetStreamManager) => Promise<T>): Promise<T> {
    const nc = await connect({
      servers: urls,
      timeout: 1_000,
      reconnect: false,
      name: 'devcluster',
    });
    try {
      return await fn(await jetstreamManager(nc, { timeout: 2_000, checkAPI: false }));
    } finally {
      await nc.close();
    }
  }

  const node = (name: string): NatsNode => {
    const found = nodes.find(n => n.name === name);
    if (!found)
      throw new Error(`no NATS node named ${name} (nodes: ${nodes.map(n => n.name).join(', ')})`);
    return found;
  };

  const streamInfo = (stream: string): Promise<StreamInfo> =>
    withJsm(jsm => jsm.streams.info(stream));

  const cluster: NatsCluster = {
    urls,
    url: urls.join(','),
    nodes,
    node,
    waitForMeta: async (timeoutMs = readyTimeoutMs) => {
      await pollUntil(
        `JetStream meta leader of NATS cluster ${clusterName} (${urls.join(', ')})`,
        () => withJsm(jsm => jsm.getAccountInfo()),
        timeoutMs,
        250,
      );
    },
    streamLeader: async stream => {
      const leader = (await streamInfo(stream)).cluster?.leader;
      return leader ? nodes.find(n => n.name === leader) : undefined;
    },
    waitForStreamLeader: (stream, other, timeoutMs = readyTimeoutMs) =>
      pollUntil(
        `a leader of stream ${stream}${other ? ` other than ${other}` : ''}`,
        async () => {
          const leader = await cluster.streamLeader(stream);
          return leader && leader.name !== other ? leader : undefined;
        },
        timeoutMs,
        200,
      ),
    waitForStreamCurrent: async (stream, timeoutMs = readyTimeoutMs) => {
      await pollUntil(
        `every replica of stream ${stream} online and current`,
        async () => {
          const info = await streamInfo(stream);
          const replicas = info.cluster?.replicas ?? [];
          const current =
            info.cluster?.leader !== undefined &&
            replicas.length === info.config.num_replicas - 1 &&
            replicas.every(r => r.current && !r.offline);
          return current ? true : undefined;
        },
        timeoutMs,
        200,
      );
    },
    stop: async () => {
      await stopAll(nodes);
      await work.remove();
    },
  };

  try {
    // All at once: a server alone waits for its routes, and JetStream needs a quorum of them.
    await Promise.all(nodes.map(n => n.start()));
    await cluster.waitForMeta();
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}
