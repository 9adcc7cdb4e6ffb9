/** Small helpers around a cluster under test: a world file of its own, waiting for accounts. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OneBotHttp } from './clients.js';
import { waitFor } from './context.js';

/** Writes a simulator world file (the simulator's WorldFile shape) and returns its path. */
export async function writeWorld(world: unknown): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'cqfleet-world-')), 'world.json');
  await writeFile(path, JSON.stringify(world));
  return path;
}

/** Waits until `account` answers `get_login_info` through the gateway at `httpUrl`. */
export async function untilOnline(httpUrl: string, account: number, timeoutMs = 15_000) {
  const http = new OneBotHttp(`${httpUrl}/${account}`);
  await waitFor(
    async () => ((await http.call('get_login_info')).status === 'ok' ? true : undefined),
    timeoutMs,
    `account ${account} online`,
  );
}
