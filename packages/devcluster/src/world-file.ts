/** A simulator world file of one's own (tests, benchmarks): written to a temporary directory. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Writes a simulator world file (the simulator's WorldFile shape) and returns its path. */
export async function writeWorld(world: unknown): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'cqfleet-world-')), 'world.json');
  await writeFile(path, JSON.stringify(world));
  return path;
}
