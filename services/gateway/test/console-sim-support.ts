/**
 * The console API in front of a stand-in simulator, for the demo-chat tests: requests under
 * `/…` reach an API configured with the simulator, under `/nosim/…` one without it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@cqfleet/runtime';
import { consoleApi } from '../src/console/console-api.js';
import { SimProxy } from '../src/console/sim-proxy.js';

export interface SimConsole {
  /** The console API's base URL. */
  base: string;
  /** The stand-in simulator's URL. */
  simUrl: string;
  stop(): Promise<void>;
}

export async function startSimConsole(
  simulator: (req: IncomingMessage, res: ServerResponse) => void,
  options: { token: string; timeoutMs: number },
): Promise<SimConsole> {
  const log = createLogger('test', 'silent');
  const sim = createServer(simulator);
  await new Promise<void>(resolve => sim.listen(0, '127.0.0.1', resolve));
  const simUrl = `http://127.0.0.1:${(sim.address() as AddressInfo).port}`;
  const route = (url: string | undefined) =>
    consoleApi({
      fleet: { snapshot: () => Promise.reject(new Error('unused')) },
      router: { call: () => Promise.reject(new Error('unused')) },
      sim: new SimProxy({ baseUrl: url, log, timeoutMs: options.timeoutMs }),
      token: options.token,
      log,
    });
  const withSim = route(simUrl);
  const withoutSim = route(undefined);
  const api = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const noSim = path.startsWith('/nosim');
    void (noSim ? withoutSim : withSim)(req, res, noSim ? path.slice(6) : path);
  });
  await new Promise<void>(resolve => api.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(api.address() as AddressInfo).port}`,
    simUrl,
    stop: async () => {
      api.closeAllConnections();
      sim.closeAllConnections();
      await new Promise(resolve => api.close(resolve));
      await new Promise(resolve => sim.close(resolve));
    },
  };
}
