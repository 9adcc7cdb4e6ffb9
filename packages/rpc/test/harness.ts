/**
 * What the rpc tests share: a silent logger, an action request, and the gRPC servers a test
 * starts (stopped after it), an actions server with a channel to it.
 */
import { MessageFormat } from '@cqfleet/proto';
import {
  createLogger,
  type GrpcService,
  startGrpcServer,
  type StartedGrpcServer,
} from '@cqfleet/runtime';
import { afterEach } from 'vitest';
import { ActionChannel, actionsService, type Execute } from '@cqfleet/rpc';

export const log = createLogger('test', 'silent');

/** A call of `action` for account 10001, its parameters as JSON. */
export const actionRequest = (action: string, params: unknown = {}) => ({
  callId: 1,
  selfId: 10001,
  action,
  paramsJson: Buffer.from(JSON.stringify(params)),
  messageFormat: MessageFormat.MESSAGE_FORMAT_STRING,
  deadlineMs: 0,
  fence: 0,
});

/** The server a test runs (one at a time) and its actions channel, both gone after the test. */
export class TestServers {
  server?: StartedGrpcServer;
  channel?: ActionChannel;

  constructor() {
    afterEach(() => this.stop());
  }

  /** Serves `services` on a loopback port (0: any). */
  async serve(services: GrpcService[], port = 0): Promise<StartedGrpcServer> {
    this.server = await startGrpcServer(`127.0.0.1:${port}`, services);
    return this.server;
  }

  /**
   * Serves `execute` as the actions service; the channel to it is made once per test, so a
   * server started again on the same port is reached by the same channel.
   */
  async serveActions(
    execute: Execute,
    {
      port = 0,
      maxMs = 30_000,
      maxUnsentBytes,
    }: { port?: number; maxMs?: number; maxUnsentBytes?: number } = {},
  ): Promise<ActionChannel> {
    const server = await this.serve(
      [actionsService(execute, log, { maxMs, ...(maxUnsentBytes ? { maxUnsentBytes } : {}) })],
      port,
    );
    this.channel ??= new ActionChannel(`127.0.0.1:${server.port}`, log);
    return this.channel;
  }

  async stopServer(graceMs = 100): Promise<void> {
    await this.server?.stop(graceMs);
    this.server = undefined;
  }

  async stop(): Promise<void> {
    this.channel?.close();
    this.channel = undefined;
    await this.stopServer();
  }
}
