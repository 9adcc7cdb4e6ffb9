/**
 * A session worker: owns accounts by lease, runs one AccountRuntime per owned account, and
 * serves actions for them over gRPC.
 */
import { randomUUID } from 'node:crypto';
import { hostname, networkInterfaces } from 'node:os';
import { type AccountRecord, type Lease, Namespace } from '@cqfleet/contracts';
import { actionsService, historyLookup, qqSideService } from '@cqfleet/rpc';
import {
  connectNats,
  connectRedis,
  ensureEventStream,
  gauge,
  type Logger,
  type NatsConnection,
  type Redis,
  redisReady,
  startGrpcServer,
  StreamPublisher,
  type StartedGrpcServer,
} from '@cqfleet/runtime';
import { AccountRuntime } from './account.js';
import { createExecutor } from './actions/executor.js';
import { readServer } from './actions/qq-reads.js';
import type { SessionOptions } from './actions/context.js';
import { sessionHandlers } from './handlers/index.js';
import { MediaClient } from '@cqfleet/media-client';
import type { Config } from './config.js';
import { LeaseManager } from './ownership/lease-manager.js';
import { storedEventIds } from './events/stored-ids.js';
import { AccountStatusBoard } from './status/account-status.js';
import { declaredAccounts, parseSeedAccounts, readAccountsFile, seedAccounts } from './registry.js';

/**
 * The host other services use to reach this worker: the bind address, or when binding every
 * interface (containers), the first non-internal IPv4 address (a pod or container IP).
 */
export function advertiseHost(bindHost: string): string {
  if (bindHost !== '0.0.0.0' && bindHost !== '::') return bindHost;
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return hostname();
}

export interface RunningWorker {
  id: string;
  grpc: string;
  accounts: ReadonlyMap<number, AccountRuntime>;
  leases: LeaseManager;
  /** Graceful: stops accounts, drains their events, releases leases. */
  stop(): Promise<void>;
}

export async function startWorker(config: Config, log: Logger): Promise<RunningWorker> {
  const ns = new Namespace(config.namespace);
  const id = config.workerId ?? `session-${randomUUID().slice(0, 8)}`;
  const wlog = log.child({ worker: id });
  const nc: NatsConnection = await connectNats(config.natsUrl, `session ${id}`, wlog);
  await ensureEventStream(nc, ns, config.eventStream);
  // A publish is retried after 2 s without an ack (the message id makes a second copy harmless):
  // when the event stream's leader dies, nothing acks until a new one is elected (6-9 s on
  // nats-server 2.9), and a 5 s timeout would add up to 5 s after the election (chaos run).
  const publisher = new StreamPublisher(nc, 2_000);
  const storedIds = storedEventIds(nc, ns);
  const redis: Redis = connectRedis(config.redis, `session ${id}`, wlog);
  await redisReady(redis);
  const declared = declaredAccounts(
    await readAccountsFile(config.accountsFile),
    parseSeedAccounts(config.seedAccounts, config.simulatorUrl),
  );
  await seedAccounts(redis, nc, ns, declared);

  const accounts = new Map<number, AccountRuntime>();
  gauge(
    'cqfleet_session_accounts',
    'Accounts this worker owns, and of those online',
    ['state'],
    function () {
      let online = 0;
      for (const a of accounts.values()) if (a.online) online++;
      this.set({ state: 'owned' }, accounts.size);
      this.set({ state: 'online' }, online);
    },
  );
  const history = historyLookup(config.historyAddr);
  const media = new MediaClient(config.redis, ns, wlog);
  await media.ready();
  const options: SessionOptions = {
    ignoreInvalidCqcode: config.ignoreInvalidCqcode,
    extraReplyData: config.extraReplyData,
    mediaTimeoutMs: config.actionTimeoutMs,
    // Handed over as base64 (4/3 of the bytes) in one frame, which stays under the frame cap.
    upstreamMaxInlineBytes: Math.floor((config.upstreamMaxFrameBytes * 3) / 4) - 64 * 1024,
  };
  // The gRPC server starts first (its port is part of the worker's address); the executor
  // reaches the lease manager, created just below, only when a call arrives.
  const holds = { holds: (uin: number, fence?: number) => leases.holds(uin, fence) };
  // The console's account status (<ns>:account-status), written under each account's lease.
  const statuses = new AccountStatusBoard(redis, ns, id, holds.holds, wlog);
  const grpc: StartedGrpcServer = await startGrpcServer(`${config.grpcHost}:${config.grpcPort}`, [
    qqSideService(
      readServer(holds, accounts, { history, media, options }),
      wlog,
      config.actionTimeoutMs,
    ),
    actionsService(
      createExecutor(holds, accounts, sessionHandlers, { history, media, options }),
      wlog,
      {
        maxMs: config.actionTimeoutMs,
      },
    ),
  ]);
  const address = config.grpcAdvertise ?? `${advertiseHost(config.grpcHost)}:${grpc.port}`;

  const leases: LeaseManager = new LeaseManager(
    redis,
    nc,
    ns,
    {
      workerId: id,
      grpc: address,
      leaseTtlMs: config.leaseTtlMs,
      renewEveryMs: config.renewEveryMs,
      rebalanceEveryMs: config.rebalanceEveryMs,
      declared,
    },
    {
      acquired: async (record: AccountRecord, lease: Lease) => {
        const runtime = new AccountRuntime(record, lease, {
          incoming: { extraReplyData: options.extraReplyData },
          holds: (uin, fence) => leases.holds(uin, fence),
          publisher,
          storedIds,
          redis,
          nc,
          ns,
          maxFrameBytes: config.upstreamMaxFrameBytes,
          maxInFlight: config.maxInFlightPerAccount,
          leases: leases.store,
          log: wlog,
          onState: (state, detail) => statuses.changed(record.uin, state, detail),
        });
        accounts.set(record.uin, runtime);
        statuses.add(runtime);
        await runtime.start();
      },
      changed: async (record: AccountRecord) => {
        await accounts.get(record.uin)?.reconfigure(record);
      },
      lost: async (uin: number, _reason: string, graceful: boolean) => {
        const runtime = accounts.get(uin);
        accounts.delete(uin);
        statuses.remove(uin);
        await runtime?.stop(graceful);
      },
    },
    wlog,
  );
  statuses.start();
  await leases.start();

  return {
    id,
    grpc: address,
    accounts,
    leases,
    stop: async () => {
      await leases.stop();
      await statuses.stop();
      publisher.close();
      history.close();
      await media.close();
      await grpc.stop(3_000);
      await nc.drain().catch(() => undefined);
      redis.disconnect();
    },
  };
}
