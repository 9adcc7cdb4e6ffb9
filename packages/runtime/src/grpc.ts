/**
 * gRPC servers and channels with documented defaults, so every service behaves the same.
 */
import {
  type ChannelOptions,
  credentials,
  Server,
  ServerCredentials,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';

/**
 * Channel defaults:
 * - keepalive every 15 s (timeout 10 s), even without calls, so a dead peer is noticed while
 *   a long-lived action stream is idle;
 * - 64 MiB messages (forward messages and history pages can be large).
 */
export const CHANNEL_OPTIONS: ChannelOptions = {
  'grpc.keepalive_time_ms': 15_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.http2.max_pings_without_data': 0,
  'grpc.max_receive_message_length': 64 * 1024 * 1024,
  'grpc.max_send_message_length': 64 * 1024 * 1024,
};

export const SERVER_OPTIONS: ChannelOptions = {
  ...CHANNEL_OPTIONS,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.http2.min_ping_interval_without_data_ms': 5_000,
};

export interface GrpcService {
  definition: ServiceDefinition;
  implementation: UntypedServiceImplementation;
}

export interface StartedGrpcServer {
  server: Server;
  port: number;
  /** Stops accepting calls, waits up to `graceMs` for running ones, then forces. */
  stop(graceMs?: number): Promise<void>;
}

/** Binds `host:port` (port 0 picks a free one) and serves the given services. */
export async function startGrpcServer(
  bind: string,
  services: GrpcService[],
): Promise<StartedGrpcServer> {
  const server = new Server(SERVER_OPTIONS);
  for (const s of services) server.addService(s.definition, s.implementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(bind, ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return {
    server,
    port,
    stop: (graceMs = 5_000) =>
      new Promise<void>(resolve => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}

export const insecure = credentials.createInsecure;
