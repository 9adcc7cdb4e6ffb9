/** Composes the gateway: directory, router, event hub and the transports. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Namespace } from '@cqfleet/contracts';
import { ActionChannels } from '@cqfleet/rpc';
import {
  connectNats,
  connectRedis,
  ensureEventStream,
  type Logger,
  redisReady,
} from '@cqfleet/runtime';
import { AccountDirectory } from './accounts/directory.js';
import type { Config } from './config.js';
import { EventHub } from './events/event-hub.js';
import { FilterRegistry } from './events/filter-registry.js';
import { LongPoll } from './events/long-poll.js';
import { MediaClient } from '@cqfleet/media-client';
import { ActionRouter } from './routing/router.js';
import { createHttpApi } from './transports/http-api.js';
import { ForwardWsServer } from './transports/ws-server.js';

export interface RunningGateway {
  httpPort: number;
  wsPort: number;
  router: ActionRouter;
  directory: AccountDirectory;
  stop(): Promise<void>;
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

export async function startGateway(config: Config, log: Logger): Promise<RunningGateway> {
  const ns = new Namespace(config.namespace);
  const nc = await connectNats(config.natsUrl, 'gateway', log);
  await ensureEventStream(nc, ns);
  const redis = connectRedis(config.redisUrl, 'gateway', log);
  await redisReady(redis);

  const directory = new AccountDirectory(redis, nc, ns, log);
  await directory.start();
  const channels = new ActionChannels(log);
  const media = new MediaClient(config.redisUrl, ns, log);
  await media.ready();
  const hub = new EventHub(nc, ns, log);
  const filters = new FilterRegistry(log);
  await filters.load(config.eventFilter);
  const longPoll = config.longPolling
    ? new LongPoll(hub, config.messageFormat, config.longPollingMaxQueue)
    : undefined;
  const router = new ActionRouter(
    directory,
    channels,
    media,
    config,
    { filters, longPoll, log },
    log,
  );

  const http = createHttpApi(router, directory, config, log);
  const wsHttp = createServer();
  const ws = new ForwardWsServer(router, directory, hub, filters, config, log);
  ws.attach(wsHttp);
  const httpPort = await listen(http, config.host, config.httpPort);
  const wsPort = await listen(wsHttp, config.host, config.wsPort);

  return {
    httpPort,
    wsPort,
    router,
    directory,
    stop: async () => {
      ws.close();
      await Promise.all([new Promise(r => http.close(r)), new Promise(r => wsHttp.close(r))]);
      http.closeAllConnections();
      router.stop();
      longPoll?.close();
      directory.stop();
      channels.closeAll();
      await media.close();
      await nc.drain().catch(() => undefined);
      redis.disconnect();
    },
  };
}
