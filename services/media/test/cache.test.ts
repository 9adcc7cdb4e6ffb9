/**
 * The cache caps (bytes on disk and files): least recently used files go first, fresh files
 * and live transfers stay.
 */
import { mkdtemp, readdir, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { sweepCache, touch } from '@cqfleet/media';

const KB = 1024;
const NOW = Date.now();

async function file(dir: string, name: string, size: number, ageMs: number) {
  await writeFile(join(dir, name), Buffer.alloc(size));
  const t = new Date(NOW - ageMs);
  await utimes(join(dir, name), t, t);
}

it('evicts the least recently used files down to 90 % of the cap; keeps fresh ones; removes abandoned parts', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cache-'));
  await file(dir, 'a.cache', 40 * KB, 50 * 60_000);
  await file(dir, 'b.cache', 40 * KB, 40 * 60_000);
  await file(dir, 'c.cache', 40 * KB, 30 * 60_000);
  await file(dir, 'd.cache', 40 * KB, 20 * 60_000);
  await file(dir, 'fresh.cache', 40 * KB, 1_000);
  await file(dir, '.dead.part', 500 * KB, 10 * 60_000);
  await file(dir, '.live.part', 500 * KB, 2_000);
  // b was used a moment ago: it moves behind c and d.
  await touch(join(dir, 'b.cache'));

  const limits = {
    dir,
    maxBytes: 150 * KB,
    maxFiles: 1000,
    keepFreshMs: 60_000,
    partStaleMs: 120_000,
  };
  const r = await sweepCache(limits, NOW + 1_000);
  expect(r).toEqual({ total: 200 * KB, files: 5, evicted: 2, freed: 80 * KB, staleParts: 1 });
  // 200 KB → at most 135 KB: the two least recently used (a, then c — b was touched) go.
  expect((await readdir(dir)).sort()).toEqual(['.live.part', 'b.cache', 'd.cache', 'fresh.cache']);

  // Under the cap nothing is evicted.
  expect(await sweepCache(limits, NOW + 1_000)).toMatchObject({ evicted: 0, staleParts: 0 });
});

it('never evicts files younger than keepFreshMs, even over the cap', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cache-'));
  await file(dir, 'x.cache', 100 * KB, 1_000);
  await file(dir, 'y.cache', 100 * KB, 500);
  const r = await sweepCache(
    { dir, maxBytes: 10 * KB, maxFiles: 1, keepFreshMs: 60_000, partStaleMs: 120_000 },
    NOW,
  );
  expect(r.evicted).toBe(0);
  expect(await readdir(dir)).toHaveLength(2);
});

it('counts what tiny files take on disk, and how many there are', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cache-'));
  // 200 one-byte downloads: 200 bytes by length, a block each on disk.
  for (let i = 0; i < 200; i++)
    await file(dir, `tiny-${String(i).padStart(3, '0')}.cache`, 1, (1000 - i) * 60_000);
  const limits = {
    dir,
    maxBytes: 10 * 1024 * KB,
    maxFiles: 100,
    keepFreshMs: 60_000,
    partStaleMs: 120_000,
  };
  const r = await sweepCache(limits, NOW);
  expect(r.files).toBe(200);
  expect(r.total).toBeGreaterThanOrEqual(200 * 512);
  // Down to 90 % of the file cap, the least recently used first.
  expect(r.evicted).toBe(110);
  const left = (await readdir(dir)).sort();
  expect(left).toHaveLength(90);
  expect(left[0]).toBe('tiny-110.cache');

  // By bytes on disk: 90 files of a byte each are over a cap of 16 KiB.
  const byBlocks = await sweepCache({ ...limits, maxBytes: 16 * KB, maxFiles: 1000 }, NOW);
  expect(byBlocks.evicted).toBeGreaterThan(0);
});
