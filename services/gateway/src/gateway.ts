/**
 * Composes the gateway: account directory, token table, router, event hub, heartbeats, the
 * inbound transports (HTTP API, forward WebSocket), the relay of reverse-WebSocket upstreams,
 * and the outbound deliveries (HTTP POST, reverse WebSocket) shared with the other replicas by
 * lease.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Namespace } from '@cqfleet/contracts';
import { MediaClient } from '@cqfleet/media-client';
import { ActionChannels } from '@cqfleet/rpc';
import {
  AccountRegistry,
  connectNats,
  connectRedis,
  ensureEventStream,
  type Logger,
  redisReady,
  stopAccepting,
} from '@cqfleet/runtime';
import { AccountDirectory } from './accounts/directory.js';
import { TokenTable } from './auth/tokens.js';
import { type Config, settingsFor } from './config.js';
import { FleetSampler } from './console/fleet-sampler.js';
import { EventStreams } from './console/event-stream.js';
import { FleetReader } from './console/fleet-snapshot.js';
import { SimProxy } from './console/sim-proxy.js';
import { DeliveryManager } from './delivery/manager.js';
import { EventHub } from './events/event-hub.js';
import { FilterRegistry } from './events/filter-registry.js';
import { FilterSync } from './events/filter-sync.js';
import { Heartbeats } from './events/heartbeat.js';
import { LongPoll } from './events/long-poll.js';
import { ActionRouter } from './routing/router.js';
import { StoredMessages } from './routing/stored-messages.js';
import { createHttpApi } from './transports/http-api.js';
import { createBoundedServer } from './transports/http-server.js';
import { ForwardWsServer } from './transports/ws-server.js';
import { UpstreamRelay } from './upstream/relay.js';

export interface RunningGateway {
  replicaId: string;
  httpPort: number;
  wsPort: number;
  router: ActionRouter;
  directory: AccountDirectory;
  deliveries: DeliveryManager;
  registry: AccountRegistry;
  /** The operator console's fleet snapshot (console/fleet-snapshot.ts). */
  fleet: FleetReader;
  /** The console's live event streams of one account (console/event-stream.ts). */
  eventStreams: EventStreams;
  /** The console's demo chat proxy to GATEWAY_SIMULATOR_URL (console/sim-proxy.ts). */
  sim: SimProxy;
  stop(): Promise<void>;
}

/** How long a stopping gateway's clients get to close their connections once told. */
const CLOSE_MS = 1_000;
/** How long a stopping gateway waits for the actions it is answering. */
const DRAIN_MS = 8_000;

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

export async function startGateway(config: Config, log: Logger): Promise<RunningGateway> {
  const ns = new Namespace(config.namespace);
  const replicaId = config.replicaId ?? `gateway-${randomUUID().slice(0, 8)}`;
  const glog = log.child({ replica: replicaId });
  const nc = await connectNats(config.natsUrl, `gateway ${replicaId}`, glog);
  await ensureEventStream(nc, ns, config.eventStream);
  const redis = connectRedis(config.redis, `gateway ${replicaId}`, glog);
  await redisReady(redis);

  const directory = new AccountDirectory(redis, nc, ns, glog);
  await directory.start();
  const { http: httpFile, ws: wsFile, tokens: accountTokens } = config.file;
  const httpTokens = new TokenTable(httpFile.access_token ?? config.accessToken, accountTokens);
  const wsTokens = new TokenTable(wsFile.access_token ?? config.accessToken, accountTokens);
  const channels = new ActionChannels(glog);
  const media = new MediaClient(config.redis, ns, glog);
  await media.ready();
  const hub = new EventHub(nc, ns, glog);
  const filters = new FilterRegistry(
    { dir: config.filterDir, maxBytes: config.filterMaxBytes },
    glog,
  );
  const filterSync = new FilterSync(nc, ns, replicaId, filters, glog);
  const httpSettings = settingsFor(config, httpFile);
  const wsSettings = settingsFor(config, wsFile);
  for (const path of [config.eventFilter, httpSettings.filter, wsSettings.filter])
    await filters.configure(path);
  const longPoll = config.longPolling
    ? new LongPoll(hub, httpSettings.messageFormat, {
        maxQueue: config.longPollingMaxQueue,
        maxQueueBytes: config.longPollingMaxQueueBytes,
        maxWaiters: config.longPollingMaxWaiters,
        idleMs: config.longPollingIdleMs,
      })
    : undefined;
  // Its own connection: a get_msg read never waits behind the directory's or the console's
  // larger replies on the shared one. Reads are single commands answered one by one; without
  // auto-pipelining each skips building a pipeline of one.
  const storeRedis = connectRedis(config.redis, `gateway ${replicaId} store`, glog, {
    enableAutoPipelining: false,
  });
  const router = new ActionRouter(
    directory,
    channels,
    media,
    config,
    { filters, filterSync, longPoll, log: glog },
    new StoredMessages(storeRedis, ns, glog),
    glog,
  );
  const heartbeats = new Heartbeats(router, config.heartbeatIntervalMs, glog);

  const timeouts = {
    headersTimeoutMs: config.httpHeadersTimeoutMs,
    requestTimeoutMs: config.httpRequestTimeoutMs,
  };
  const http = createHttpApi({
    router,
    directory,
    tokens: httpTokens,
    settings: httpSettings,
    limits: {
      ...timeouts,
      maxBodyBytes: config.maxBodyBytes,
      maxInFlight: config.httpMaxInFlight,
      rateLimitQueue: config.httpRateLimitQueue,
      bodyBytesPerToken: config.httpBodyBytesPerToken,
    },
    log: glog,
  });
  const wsHttp = createBoundedServer(timeouts);
  const relay = new UpstreamRelay({
    nc,
    ns,
    directory,
    replicaId,
    replay: { windowMs: config.upstreamReplayMs, maxBytes: config.upstreamReplayBytes },
    pingMs: config.upstreamPingMs,
    maxBuffered: config.wsMaxBufferedBytes,
    log: glog,
  });
  const ws = new ForwardWsServer({
    relay,
    router,
    directory,
    hub,
    filters,
    heartbeats,
    tokens: wsTokens,
    settings: wsSettings,
    limits: {
      maxPayload: config.maxBodyBytes,
      maxBuffered: config.wsMaxBufferedBytes,
      maxInFlight: config.wsMaxInFlight,
      maxPerAccount: config.wsMaxConnectionsPerAccount,
    },
    log: glog,
  });
  ws.attach(wsHttp);
  const httpPort = await listen(http, config.host, config.httpPort);
  const wsPort = await listen(wsHttp, config.host, config.wsPort);

  const deliveries = new DeliveryManager({
    nc,
    redis,
    ns,
    config,
    directory,
    filters,
    heartbeats,
    router,
    replicaId,
    log: glog,
  });
  await deliveries.start();

  // The console's rates are sampled only where the console's API can be reached (an admin
  // port and token): a gateway nobody watches reads nothing every two seconds.
  const sampler = new FleetSampler(redis, ns.accountStatusKey, glog);
  if (config.adminPort !== undefined && config.adminToken !== '') sampler.start();
  const fleet = new FleetReader({
    redis,
    nc,
    ns,
    media,
    rates: uin => sampler.rates(uin),
    replicaId,
    leaseTtlMs: config.leaseTtlMs,
    log: glog,
  });

  const eventStreams = new EventStreams({ hub, token: config.adminToken, log: glog });
  const sim = new SimProxy({ baseUrl: config.simulatorUrl, log: glog });

  return {
    replicaId,
    httpPort,
    wsPort,
    router,
    directory,
    deliveries,
    registry: new AccountRegistry(redis, nc, ns),
    fleet,
    eventStreams,
    sim,
    stop: async () => {
      sampler.stop();
      eventStreams.closeAll();
      // No new connections; requests already made, on any transport, are still answered.
      const closingHttp = stopAccepting(http);
      const closingWs = stopAccepting(wsHttp);
      http.closeIdleConnections();
      await router.drain(DRAIN_MS);
      await deliveries.stop();
      relay.close();
      // Clients are told (1001) and given a moment; whoever holds on after that is cut, so a
      // client cannot keep a stopping gateway alive.
      await Promise.all([
        closingHttp.finish(CLOSE_MS),
        closingWs.finish(CLOSE_MS, [...ws.sockets(), ...relay.sockets()], {
          code: 1001,
          reason: 'gateway stopping',
        }),
      ]);
      heartbeats.close();
      filterSync.close();
      router.stop();
      longPoll?.close();
      directory.stop();
      channels.closeAll();
      await media.close();
      await nc.drain().catch(() => undefined);
      redis.disconnect();
      storeRedis.disconnect();
    },
  };
}
