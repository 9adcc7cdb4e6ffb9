/**
 * Composes the simulator: the world, the account hub, and one HTTP server that carries both
 * the control API and the driver WebSocket (`/driver`).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeHttpServer, type Logger } from '@cqfleet/runtime';
import { AccountHub } from './account-hub.js';
import { ControlApi } from './control-api.js';
import { DriverServer } from './driver-server.js';
import { buildWorld } from './world/build.js';
import type { WorldOptions, WorldState } from './world/state.js';
import type { WorldFile } from './world-file.js';

export interface SimulatorOptions extends WorldOptions {
  host: string;
  port: number;
  eventLogSize?: number;
  eventLogBytes?: number;
}

export interface RunningSimulator {
  world: WorldState;
  hub: AccountHub;
  server: Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

export async function startSimulator(
  file: WorldFile,
  options: SimulatorOptions,
  log: Logger,
): Promise<RunningSimulator> {
  const world = buildWorld(file, options);
  const hub = new AccountHub(options.eventLogSize, options.eventLogBytes);
  world.onAccountEvent = (uin, event) => hub.deliver(uin, event);
  const control = new ControlApi(world, hub);
  const drivers = new DriverServer(world, hub, log);

  const server = createServer((req, res) => control.handle(req, res));
  server.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/driver' && path !== '/driver/') {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    drivers.wss.handleUpgrade(req, socket, head, ws => drivers.wss.emit('connection', ws, req));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${options.host}:${port}`;
  world.publicUrl = options.publicUrl ?? url;
  return {
    world,
    hub,
    server,
    port,
    url,
    // Driver connections are cut at once (workers reconnect to the next simulator); a control
    // request in progress gets a second.
    close: () =>
      closeHttpServer(server, 1_000, drivers.wss.clients, { code: 1001, reason: 'stopping' }),
  };
}
